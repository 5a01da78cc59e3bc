"""DataLoaders of the challenges domain: one query per batch, results in key order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from models.accounts import Member
from models.challenges import Challenge, Membership, Role
from resolvers.loaders import one_per_key


def fetched_member(membership: Membership) -> Member | None:
    """The membership's member when its query selected it (``select_related``), else None."""
    # Tortoise keeps a selected relation under ``_<name>``; reading ``membership.member``
    # instead would return a query when it was not selected.
    member = getattr(membership, "_member", None)
    return member if isinstance(member, Member) else None


class ChallengeByIdLoader(DataLoader[int, Challenge | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=one_per_key(Challenge))


async def _memberships_by_challenge_id(ids: Sequence[int]) -> list[list[Membership]]:
    grouped: dict[int, list[Membership]] = defaultdict(list)
    # The members come in the same statement: a list of challenges then needs no further query
    # for their members, their leaders or the viewer's role (see ``fetched_member``).
    rows = (
        await Membership.filter(challenge_id__in=list(set(ids)))
        .select_related("member")
        .order_by("joined_at", "id")
    )
    for membership in rows:
        grouped[membership.challenge_id].append(membership)  # type: ignore[attr-defined]
    return [grouped.get(challenge_id, []) for challenge_id in ids]


class MembershipsByChallengeIdLoader(DataLoader[int, list[Membership]]):
    """A challenge's memberships with their members, the earliest joined first (the leader
    leads the list)."""

    def __init__(self) -> None:
        super().__init__(load_fn=_memberships_by_challenge_id)


MemberRoleKey = tuple[int, Role | None]


async def _memberships_by_member_id(keys: Sequence[MemberRoleKey]) -> list[list[Membership]]:
    member_ids = list({member_id for member_id, _ in keys})
    grouped: dict[int, list[Membership]] = defaultdict(list)
    rows = await Membership.filter(member_id__in=member_ids).order_by(
        "-challenge__created_at", "-challenge_id"
    )
    for membership in rows:
        grouped[membership.member_id].append(membership)  # type: ignore[attr-defined]
    return [
        [row for row in grouped.get(member_id, []) if role is None or row.role == role]
        for member_id, role in keys
    ]


class MembershipsByMemberIdLoader(DataLoader[MemberRoleKey, list[Membership]]):
    """A member's memberships (optionally of one role), the newest challenge first.

    Keyed by ``(member_id, role)``: the role filter is applied to the one batched query's rows,
    so several ``challenges(role: ...)`` selections still cost a single statement.
    """

    def __init__(self) -> None:
        super().__init__(load_fn=_memberships_by_member_id)

"""DataLoaders of the challenges domain: one query per batch, results in key order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from models.challenges import Challenge, Membership, Role


async def _challenges_by_id(ids: Sequence[int]) -> list[Challenge | None]:
    found = {challenge.id: challenge for challenge in await Challenge.filter(id__in=list(set(ids)))}
    return [found.get(challenge_id) for challenge_id in ids]


class ChallengeByIdLoader(DataLoader[int, Challenge | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=_challenges_by_id)


async def _memberships_by_challenge_id(ids: Sequence[int]) -> list[list[Membership]]:
    grouped: dict[int, list[Membership]] = defaultdict(list)
    rows = await Membership.filter(challenge_id__in=list(set(ids))).order_by("joined_at", "id")
    for membership in rows:
        grouped[membership.challenge_id].append(membership)  # type: ignore[attr-defined]
    return [grouped.get(challenge_id, []) for challenge_id in ids]


class MembershipsByChallengeIdLoader(DataLoader[int, list[Membership]]):
    """A challenge's memberships, the earliest joined first (the leader leads the list)."""

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


MemberChallengeKey = tuple[int, int]


async def _membership_by_member_and_challenge(
    keys: Sequence[MemberChallengeKey],
) -> list[Membership | None]:
    # Usually a single viewer asks about a page of challenges: one query per distinct member.
    challenges_by_member: dict[int, set[int]] = defaultdict(set)
    for member_id, challenge_id in keys:
        challenges_by_member[member_id].add(challenge_id)
    found: dict[MemberChallengeKey, Membership] = {}
    for member_id, challenge_ids in challenges_by_member.items():
        rows = await Membership.filter(member_id=member_id, challenge_id__in=list(challenge_ids))
        for row in rows:
            found[(member_id, row.challenge_id)] = row  # type: ignore[attr-defined]
    return [found.get(key) for key in keys]


class MembershipByMemberAndChallengeLoader(DataLoader[MemberChallengeKey, Membership | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=_membership_by_member_and_challenge)

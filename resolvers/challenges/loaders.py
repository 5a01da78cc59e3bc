"""DataLoaders of the challenges domain: one query per batch, results in key order."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from strawberry.dataloader import DataLoader
from tortoise import connections
from tortoise.models import Model

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


def _columns(model: type[Model], table: str, prefix: str) -> list[str]:
    meta = model._meta
    names = [
        key
        for fields in (meta.db_native_fields, meta.db_default_fields, meta.db_complex_fields)
        for key, *_ in fields
    ]
    return [f'{table}.{name} AS "{prefix}{name}"' for name in names]


def _split(row: Mapping[str, object], prefix: str) -> dict[str, object]:
    return {key[len(prefix) :]: value for key, value in row.items() if key.startswith(prefix)}


async def _memberships_by_challenge_id(ids: Sequence[int]) -> list[list[Membership]]:
    """One raw statement, rows built into models directly: the ORM's select_related query cost
    more CPU to build and split than the rows themselves (the list's hottest loader)."""
    grouped: dict[int, list[Membership]] = defaultdict(list)
    keys = list(set(ids))
    if not keys:
        return []
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    marks = ", ".join(f"${n}" if postgres else "?" for n in range(1, len(keys) + 1))
    columns = ", ".join([*_columns(Membership, "membership", "s_"), *_columns(Member, "member", "m_")])
    rows = await connection.execute_query_dict(
        f"SELECT {columns} FROM membership JOIN member ON member.id = membership.member_id"
        f" WHERE membership.challenge_id IN ({marks}) ORDER BY membership.joined_at, membership.id",
        keys,
    )
    for row in rows:
        membership = Membership._init_from_db(**_split(row, "s_"))
        # Where select_related would have put it, so ``fetched_member`` finds it.
        object.__setattr__(membership, "_member", Member._init_from_db(**_split(row, "m_")))
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

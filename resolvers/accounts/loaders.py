"""DataLoaders of the accounts domain."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from models.accounts import Member


async def _members_by_id(ids: Sequence[int]) -> list[Member | None]:
    members = {member.id: member for member in await Member.filter(id__in=list(set(ids)))}
    return [members.get(member_id) for member_id in ids]


class MemberByIdLoader(DataLoader[int, Member | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=_members_by_id)

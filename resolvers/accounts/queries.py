"""Read side of the accounts domain."""

from __future__ import annotations

from models.accounts import Member


async def get_member(*, member_id: int) -> Member | None:
    return await Member.get_or_none(id=member_id)

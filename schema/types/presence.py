"""Strawberry types of a room's live presence: who is online there and what they are doing."""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from infra import presence_status
from infra.presence_status import MemberStatus
from resolvers.accounts.loaders import MemberByIdLoader
from schema.context import Info
from schema.scalars import DateTime
from schema.types.accounts import Member

PresenceStatus = presence_status.PresenceStatus
strawberry.enum(PresenceStatus, name="PresenceStatus")


@strawberry.type
class Presence:
    member: Member
    status: PresenceStatus
    since: DateTime = strawberry.field(description="When this status was set.")


async def presences(info: Info, statuses: Sequence[MemberStatus]) -> list[Presence]:
    """``statuses`` with their members, through the request's loader (a deleted member is left
    out)."""
    rows = await info.context.loader(MemberByIdLoader).load_many([status.member_id for status in statuses])
    return [
        Presence(member=Member.from_model(row), status=status.status, since=status.since)
        for status, row in zip(statuses, rows, strict=True)
        if row is not None
    ]

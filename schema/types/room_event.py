"""The event a ``roomEvents`` subscription streams: what happened in a room, and the presence after it."""

from __future__ import annotations

import strawberry

from events import room as room_events
from infra.presence_status import MemberStatus
from schema.context import Info
from schema.marks import SEATS, SHAREABLE, shareable
from schema.scalars import DateTime
from schema.types.accounts import Member
from schema.types.chat import Message, RoomEventType, load_members, room_cursor
from schema.types.presence import Presence, presences


@strawberry.type
class RoomEvent:
    type: RoomEventType
    cursor: str | None = strawberry.field(
        description="Set for durable events: MESSAGE, DELETE, EDIT, REACTION, PIN (resumable)."
    )
    message: Message | None
    message_id: strawberry.ID | None
    at: DateTime
    emoji: str | None = strawberry.field(description="REACTION: the emoji added or removed.")
    reacted: bool | None = strawberry.field(description="REACTION: true when added, false when removed.")
    typing: bool | None = strawberry.field(description="TYPING: whether the member is typing.")
    _member_id: strawberry.Private[int | None]
    _online: strawberry.Private[tuple[int, ...]]
    _presence: strawberry.Private[tuple[MemberStatus, ...]]

    @classmethod
    def from_payload(cls, event: room_events.RoomEventPayload) -> RoomEvent:
        return cls(
            type=event.type,
            cursor=room_cursor(event.challenge_id, event.seq) if event.seq is not None else None,
            message=Message.from_snapshot(event.message) if event.message else None,
            message_id=strawberry.ID(str(event.message_id)) if event.message_id else None,
            at=event.at,
            emoji=event.emoji,
            reacted=event.reacted,
            typing=event.typing,
            _member_id=event.member_id,
            _online=event.online,
            _presence=room_events.presence_of(event).statuses,
        )

    @strawberry.field(metadata=SHAREABLE)
    async def member(self, info: Info) -> Member | None:
        if self._member_id is None:
            return None
        members = await load_members(info, [self._member_id])
        return members[0] if members else None

    @strawberry.field(description="Presence after this event.", metadata=shareable(max_items=SEATS))
    async def online_members(self, info: Info) -> list[Member]:
        return await load_members(info, self._online[:SEATS])

    @strawberry.field(
        description="Presence after this event, with statuses (JOIN, LEAVE, STATUS).",
        metadata=shareable(max_items=SEATS),
    )
    async def presence(self, info: Info) -> list[Presence]:
        return await presences(info, self._presence[:SEATS])

"""Room events on ``room:<id>``: everything a ``RoomEvent`` needs, so delivering a live event
to any number of subscribers reads nothing from the database.

Durable events (MESSAGE, DELETE, EDIT, REACTION, PIN) carry the room's sequence number; JOIN and
LEAVE are live only. A release that does not know a type skips the event (events/codec.py).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from events.base import Event
from models.accounts import Member as MemberRow
from models.chat import Message as MessageRow


class RoomEventType(StrEnum):
    MESSAGE = "MESSAGE"
    JOIN = "JOIN"
    LEAVE = "LEAVE"
    DELETE = "DELETE"
    EDIT = "EDIT"
    REACTION = "REACTION"
    PIN = "PIN"


class MemberSnapshot(Event):
    id: int
    nickname: str
    bricks_count: int
    is_social: bool
    profile_image: str | None
    email: str | None
    created_at: dt.datetime

    @classmethod
    def of(cls, member: MemberRow) -> MemberSnapshot:
        return cls(
            id=member.id,
            nickname=member.nickname,
            bricks_count=member.bricks_count,
            is_social=member.is_social,
            profile_image=member.profile_image,
            email=member.email,
            created_at=member.created_at,
        )


class MessageSnapshot(Event):
    id: int
    challenge_id: int
    seq: int
    body: str
    sender: MemberSnapshot
    created_at: dt.datetime
    edited_at: dt.datetime | None = None
    reply_to_id: int | None = None

    @classmethod
    def of(cls, message: MessageRow, *, challenge_id: int, sender: MemberRow) -> MessageSnapshot:
        return cls(
            id=message.id,
            challenge_id=challenge_id,
            seq=message.seq,
            body=message.body,
            sender=MemberSnapshot.of(sender),
            created_at=message.created_at,
            edited_at=message.edited_at,
            reply_to_id=message.reply_to_id,
        )


class RoomEventPayload(Event):
    """One event of a room, live or replayed from the database."""

    kind: Literal["room_event"] = "room_event"
    type: RoomEventType
    challenge_id: int
    at: dt.datetime
    online: tuple[int, ...] = ()
    # The room's presence version ``online`` is as of (None from a release without versions):
    # a JOIN/LEAVE older than one already seen is stale.
    presence_version: int | None = None
    seq: int | None = None  # MESSAGE, DELETE, EDIT, REACTION, PIN
    message: MessageSnapshot | None = None  # MESSAGE, EDIT, REACTION, PIN (None: unpinned)
    message_id: int | None = None  # DELETE
    member_id: int | None = None  # JOIN, LEAVE, REACTION (who reacted)
    emoji: str | None = None  # REACTION
    reacted: bool | None = None  # REACTION: added (True) or removed (False)

    @property
    def durable(self) -> bool:
        return self.seq is not None

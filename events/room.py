"""Room events on ``room:<id>``: everything a ``RoomEvent`` needs, so delivering a live event
to any number of subscribers reads nothing from the database.

Durable events (MESSAGE, DELETE, EDIT, REACTION, PIN) carry the room's sequence number; JOIN,
LEAVE, STATUS and TYPING are live only. Every event carries the room's presence (with statuses)
and its version. A release that does not know a type skips the event (events/codec.py).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from events.base import Event
from infra.presence import Presence
from infra.presence_status import MemberStatus, PresenceStatus, statuses_of
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
    # Live only: a member's presence status changed; a member started or stopped typing.
    STATUS = "STATUS"
    TYPING = "TYPING"


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


class StatusSnapshot(Event):
    """What an online member is doing, as of the event's presence version."""

    member_id: int
    status: PresenceStatus
    since: dt.datetime


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
    member_id: int | None = None  # JOIN, LEAVE, STATUS, TYPING, REACTION (who reacted)
    emoji: str | None = None  # REACTION
    reacted: bool | None = None  # REACTION: added (True) or removed (False)
    # Live presence details: each of ``online``'s status (empty from a release without them),
    # and whether the member of a TYPING event is typing.
    statuses: tuple[StatusSnapshot, ...] = ()
    typing: bool | None = None

    @property
    def durable(self) -> bool:
        return self.seq is not None


def presence_fields(presence: Presence) -> dict[str, object]:
    """The fields of an event that carry ``presence`` (for ``model_copy(update=...)``; treat
    them as read-only). A room's presence is the same object for many events in a row (the
    publisher's newest-known cache, a stream's newest), so the newest one's are kept."""
    global _newest_fields
    newest = _newest_fields
    if newest is not None and newest[0] is presence:
        return newest[1]
    fields: dict[str, object] = {
        "online": presence.online,
        "presence_version": presence.version,
        "statuses": tuple(
            StatusSnapshot(member_id=status.member_id, status=status.status, since=status.since)
            for status in presence.statuses
        ),
    }
    _newest_fields = (presence, fields)
    return fields


_newest_fields: tuple[Presence, dict[str, object]] | None = None


def presence_of(event: RoomEventPayload) -> Presence:
    """The presence an event carries (a status it lacks is ONLINE since the event)."""
    carried = [MemberStatus(status.member_id, status.status, status.since) for status in event.statuses]
    statuses = statuses_of(event.online, carried, fallback=event.at)
    return Presence(event.presence_version or 0, event.online, statuses)

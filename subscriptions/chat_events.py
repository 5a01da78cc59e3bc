"""Room events on the bus: small JSON payloads carrying everything a ``RoomEvent`` needs.

A live MESSAGE carries the message and a snapshot of its sender, so delivering it to any
number of subscribers reads nothing from the database. Durable events (MESSAGE, DELETE) carry
the room's sequence number; JOIN and LEAVE are live only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar, Literal

from models.accounts import Member as MemberRow
from models.chat import Message as MessageRow
from subscriptions import events


class RoomEventType(StrEnum):
    MESSAGE = "MESSAGE"
    JOIN = "JOIN"
    LEAVE = "LEAVE"
    DELETE = "DELETE"


@dataclass(frozen=True, slots=True)
class MemberSnapshot:
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

    def encode(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "nickname": self.nickname,
            "bricks_count": self.bricks_count,
            "is_social": self.is_social,
            "profile_image": self.profile_image,
            "email": self.email,
            "created_at": self.created_at.isoformat(),
        }

    @classmethod
    def decode(cls, data: dict[str, Any]) -> MemberSnapshot:
        return cls(**{**data, "created_at": dt.datetime.fromisoformat(data["created_at"])})


@dataclass(frozen=True, slots=True)
class MessageSnapshot:
    id: int
    challenge_id: int
    seq: int
    body: str
    sender: MemberSnapshot
    created_at: dt.datetime

    @classmethod
    def of(cls, message: MessageRow, *, challenge_id: int, sender: MemberRow) -> MessageSnapshot:
        return cls(
            id=message.id,
            challenge_id=challenge_id,
            seq=message.seq,
            body=message.body,
            sender=MemberSnapshot.of(sender),
            created_at=message.created_at,
        )

    def encode(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "challenge_id": self.challenge_id,
            "seq": self.seq,
            "body": self.body,
            "sender": self.sender.encode(),
            "created_at": self.created_at.isoformat(),
        }

    @classmethod
    def decode(cls, data: dict[str, Any]) -> MessageSnapshot:
        return cls(
            id=data["id"],
            challenge_id=data["challenge_id"],
            seq=data["seq"],
            body=data["body"],
            sender=MemberSnapshot.decode(data["sender"]),
            created_at=dt.datetime.fromisoformat(data["created_at"]),
        )


@dataclass(frozen=True, slots=True)
class RoomEventPayload:
    """On ``room:<id>``: one event of a room, live or replayed from the database."""

    kind: ClassVar[Literal["room_event"]] = "room_event"
    type: RoomEventType
    challenge_id: int
    at: dt.datetime
    online: tuple[int, ...] = ()
    seq: int | None = None  # MESSAGE, DELETE
    message: MessageSnapshot | None = None  # MESSAGE
    message_id: int | None = None  # DELETE
    member_id: int | None = None  # JOIN, LEAVE

    @property
    def durable(self) -> bool:
        return self.seq is not None

    def encode(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "type": self.type.value,
            "challenge_id": self.challenge_id,
            "at": self.at.isoformat(),
            "online": list(self.online),
            "seq": self.seq,
            "message": self.message.encode() if self.message else None,
            "message_id": self.message_id,
            "member_id": self.member_id,
        }

    @classmethod
    def decode(cls, data: dict[str, Any]) -> RoomEventPayload:
        message = data.get("message")
        return cls(
            type=RoomEventType(data["type"]),
            challenge_id=int(data["challenge_id"]),
            at=dt.datetime.fromisoformat(data["at"]),
            online=tuple(int(member_id) for member_id in data.get("online") or ()),
            seq=data.get("seq"),
            message=MessageSnapshot.decode(message) if message else None,
            message_id=data.get("message_id"),
            member_id=data.get("member_id"),
        )


@dataclass(frozen=True, slots=True)
class BusReconnected:
    """Yielded by the bus to every local subscriber after it reconnects: events may have
    been missed, so each durable stream catches up from the database."""

    kind: ClassVar[Literal["bus_reconnected"]] = "bus_reconnected"


@dataclass(frozen=True, slots=True)
class BusFailed:
    """Put by the hub when a channel's bus subscription died for good."""

    kind: ClassVar[Literal["bus_failed"]] = "bus_failed"


BUS_RECONNECTED = BusReconnected()
BUS_FAILED = BusFailed()


def decode_event(payload: dict[str, Any]) -> object | None:
    """The typed event for a bus payload (room events, markers and the shared kinds)."""
    kind = payload.get("kind")
    if kind == RoomEventPayload.kind:
        return RoomEventPayload.decode(payload)
    if kind == BusReconnected.kind:
        return BUS_RECONNECTED
    if kind == BusFailed.kind:
        return BUS_FAILED
    decoded: object | None = events.decode(payload)
    return decoded


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)

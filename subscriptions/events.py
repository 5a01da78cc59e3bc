"""Events on the bus: small typed payloads encoded as JSON, never pickled ORM objects.

Durable events (messages, deletions, notifications) carry their sequence number so a
subscriber can tell what it has already delivered and catch up from the database.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar, Literal


@dataclass(frozen=True, slots=True)
class NotificationCreated:
    """On ``member:<id>``: a notification row was committed."""

    kind: ClassVar[Literal["notification"]] = "notification"
    member_id: int
    seq: int
    notification_id: int


@dataclass(frozen=True, slots=True)
class MemberLeft:
    """On ``room:<id>``: a member left the challenge; their room subscriptions end."""

    kind: ClassVar[Literal["member_left"]] = "member_left"
    member_id: int


@dataclass(frozen=True, slots=True)
class RoomClosed:
    """On ``room:<id>``: the challenge was deleted; every room subscription ends."""

    kind: ClassVar[Literal["room_closed"]] = "room_closed"
    challenge_id: int


@dataclass(frozen=True, slots=True)
class SessionEnded:
    """On ``member:<id>``: the member logged out; subscriptions opened with that access
    token (``token_id`` = its ``jti``) end. ``token_id=None`` ends all of the member's."""

    kind: ClassVar[Literal["session_ended"]] = "session_ended"
    member_id: int
    token_id: str | None = field(default=None)


BusEvent = NotificationCreated | MemberLeft | RoomClosed | SessionEnded
_KINDS: dict[str, type[Any]] = {
    cls.kind: cls for cls in (NotificationCreated, MemberLeft, RoomClosed, SessionEnded)
}


def encode(event: Any) -> dict[str, Any]:
    return {"kind": event.kind, **asdict(event)}


def decode(payload: dict[str, Any]) -> Any:
    """The typed event for a payload, or None for kinds this process does not know."""
    cls = _KINDS.get(str(payload.get("kind")))
    if cls is None:
        return None
    fields = {key: value for key, value in payload.items() if key != "kind"}
    return cls(**fields)

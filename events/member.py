"""Events on a member's channel (``member:<id>``) and the room's control events.

Durable events carry their sequence number, so a subscriber can tell what it has already
delivered and catch up from the database.
"""

from __future__ import annotations

from typing import Literal

from events.base import Event


class NotificationCreated(Event):
    """On ``member:<id>``: a notification row was committed."""

    kind: Literal["notification"] = "notification"
    member_id: int
    seq: int
    notification_id: int


class MemberLeft(Event):
    """On ``room:<id>``: a member left the challenge; their room subscriptions end."""

    kind: Literal["member_left"] = "member_left"
    member_id: int


class RoomClosed(Event):
    """On ``room:<id>``: the challenge was deleted; every room subscription ends."""

    kind: Literal["room_closed"] = "room_closed"
    challenge_id: int


class SessionEnded(Event):
    """On ``member:<id>``: the member logged out; subscriptions opened with that access
    token (``token_id`` = its ``jti``) end. ``token_id=None`` ends all of the member's."""

    kind: Literal["session_ended"] = "session_ended"
    member_id: int
    token_id: str | None = None


class BusReconnected(Event):
    """Delivered on every channel after the bus reconnects: events may have been missed,
    so each durable stream catches up from the database."""

    kind: Literal["bus_reconnected"] = "bus_reconnected"


BUS_RECONNECTED = BusReconnected()

"""Events on a member's channel (``member:<id>``) and the room's control events.

Durable events carry their sequence number, so a subscriber can tell what it has already
delivered and catch up from the database.
"""

from __future__ import annotations

from typing import Literal

from events.base import Event
from infra.tokens import family_of, session_of_token_id
from infra.viewer import Viewer


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
    """On ``member:<id>``: login sessions of the member ended (logout, password change, refresh
    token reuse); what they hold (subscriptions, sockets) ends. ``session_ids`` names the
    sessions; otherwise ``token_id`` (an access token's ``jti``) names the session that token
    belongs to (or that one token, when it has no session); neither ends all of the member's."""

    kind: Literal["session_ended"] = "session_ended"
    member_id: int
    token_id: str | None = None
    session_ids: tuple[int, ...] | None = None

    def ends(self, viewer: Viewer) -> bool:
        """Whether this ends what ``viewer`` (a member with an access token) holds."""
        if viewer.id != self.member_id:
            return False
        session = family_of(viewer)
        if self.session_ids is not None:
            return session is not None and session in self.session_ids
        if self.token_id is None or self.token_id == viewer.token_id:
            return True
        ended = session_of_token_id(self.token_id)
        return ended is not None and ended == session


class BusReconnected(Event):
    """Delivered on every channel after the bus reconnects: events may have been missed,
    so each durable stream catches up from the database."""

    kind: Literal["bus_reconnected"] = "bus_reconnected"


BUS_RECONNECTED = BusReconnected()

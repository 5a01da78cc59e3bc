"""Presence status ("studying now"): what an online member tells the room they are doing.

A status belongs to the member's presence in the room (:mod:`infra.presence`): ONLINE when they
come online, changed here, gone when their last ``roomEvents`` subscription ends on whichever
instance. So setting one needs such a subscription: the presence entry it wrote is also the
proof of membership (the stream checked it in the database and ends when the member leaves), and
the database is only read to say why a call without one is refused.
"""

from __future__ import annotations

from events.room import RoomEventType
from infra.errors import Conflict
from infra.presence import Presence
from infra.presence_status import MemberStatus, PresenceStatus
from infra.services import Services
from infra.viewer import Viewer
from resolvers.chat.presence import announce
from resolvers.chat.queries import require_member

NOT_ONLINE = "Open a roomEvents subscription to this room first."


async def not_online(*, viewer: Viewer, challenge_id: int) -> Conflict:
    """Why a member without a live subscription in the room is refused: NOT_FOUND or FORBIDDEN
    (raised) when they could not subscribe at all, else the CONFLICT to raise."""
    await require_member(viewer=viewer, challenge_id=challenge_id)
    return Conflict(NOT_ONLINE)


async def set_presence_status(
    *, services: Services, viewer: Viewer, challenge_id: int, status: PresenceStatus
) -> MemberStatus:
    """Set the viewer's status in the room and announce it (STATUS, with the new presence)."""
    await services.limiter.hit(
        f"set_presence_status:{viewer.id}", services.settings.limit_set_presence_status
    )
    presence = await services.presence.set_status(challenge_id, viewer.id, status)
    if presence is None:
        raise await not_online(viewer=viewer, challenge_id=challenge_id)
    await announce(
        services, RoomEventType.STATUS, challenge_id=challenge_id, member_id=viewer.id, presence=presence
    )
    return _own(presence, viewer)


def _own(presence: Presence, viewer: Viewer) -> MemberStatus:
    own = presence.status_of(viewer.id)
    assert own is not None  # the script set it while the viewer was online
    return own


async def room_presence(*, services: Services, viewer: Viewer, challenge_id: int) -> tuple[MemberStatus, ...]:
    """Each member online in the room with their status (members only)."""
    await require_member(viewer=viewer, challenge_id=challenge_id)
    return (await services.presence.snapshot(challenge_id)).statuses

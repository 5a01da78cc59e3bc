"""Typing indicators: live only, and as cheap as the server can make them.

``setTyping`` reads and writes no database row: the viewer's presence entry in the room (a live
``roomEvents`` subscription on any instance) proves membership, one presence-store script marks
them typing for ``TYPING_TTL`` seconds, one publish tells the room's other subscribers. Only a
refused call reads the database, to say why (:func:`resolvers.chat.status.not_online`).
"""

from __future__ import annotations

from events.channels import room_channel
from events.room import RoomEventPayload, RoomEventType, presence_fields
from infra.services import Services
from infra.viewer import Viewer
from resolvers.chat.queries import require_member
from resolvers.chat.status import not_online


async def set_typing(*, services: Services, viewer: Viewer, challenge_id: int, typing: bool) -> bool:
    """Mark the viewer typing (or not) in the room and announce it (TYPING); what was set."""
    await services.limiter.hit(f"set_typing:{viewer.id}", services.settings.limit_set_typing)
    presence = await services.presence.set_typing(challenge_id, viewer.id, typing)
    if presence is None:
        raise await not_online(viewer=viewer, challenge_id=challenge_id)
    event = RoomEventPayload(
        type=RoomEventType.TYPING,
        challenge_id=challenge_id,
        at=services.clock.now(),
        member_id=viewer.id,
        typing=typing,
    )
    await services.bus.publish(room_channel(challenge_id), event.model_copy(update=presence_fields(presence)))
    return typing


async def typing_members(*, services: Services, viewer: Viewer, challenge_id: int) -> list[int]:
    """Members of the room typing now, the viewer left out (members only)."""
    await require_member(viewer=viewer, challenge_id=challenge_id)
    return [member for member in await services.presence.typists(challenge_id) if member != viewer.id]

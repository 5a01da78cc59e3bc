"""Presence in a room as the chat sees it: entering and leaving, announced as JOIN and LEAVE.

The store (:class:`infra.presence.PresenceStore`) knows who is online on any instance; this
module publishes the changes on the room channel so subscribers on every instance see them.
"""

from __future__ import annotations

from events.channels import room_channel
from events.room import RoomEventPayload, RoomEventType
from infra.services import Services


async def enter(services: Services, *, challenge_id: int, member_id: int, connection: str) -> None:
    """Count ``connection``; announce JOIN (to everyone, the opener included)."""
    await services.presence.add(challenge_id, member_id, connection)
    await announce(services, RoomEventType.JOIN, challenge_id=challenge_id, member_id=member_id)


async def leave(services: Services, *, challenge_id: int, member_id: int, connection: str) -> None:
    """Forget ``connection``; announce LEAVE once the member's last connection is gone."""
    await services.presence.remove(challenge_id, member_id, connection)
    if member_id not in await services.presence.online(challenge_id):
        await announce(services, RoomEventType.LEAVE, challenge_id=challenge_id, member_id=member_id)


async def announce(services: Services, type: RoomEventType, *, challenge_id: int, member_id: int) -> None:
    event = RoomEventPayload(
        type=type,
        challenge_id=challenge_id,
        at=services.clock.now(),
        online=tuple(await services.presence.online(challenge_id)),
        member_id=member_id,
    )
    await services.bus.publish(room_channel(challenge_id), event)

"""Presence in a room as the chat sees it: entering and leaving, announced as JOIN and LEAVE.

The store (:class:`infra.presence.PresenceStore`) knows who is online on any instance; this
module publishes the changes on the room channel so subscribers on every instance see them.
Each announcement carries the presence after the change and its version, so subscribers can
ignore one that arrives after a newer one.
"""

from __future__ import annotations

from events.channels import room_channel
from events.room import RoomEventPayload, RoomEventType, presence_fields
from infra.presence import Presence
from infra.services import Services


async def enter(services: Services, *, challenge_id: int, member_id: int, connection: str) -> None:
    """Count ``connection``; announce JOIN (to everyone, the opener included)."""
    presence = await services.presence.add(challenge_id, member_id, connection)
    await announce(
        services, RoomEventType.JOIN, challenge_id=challenge_id, member_id=member_id, presence=presence
    )


async def leave(services: Services, *, challenge_id: int, member_id: int, connection: str) -> None:
    """Forget ``connection``; announce LEAVE once the member's last connection is gone."""
    presence = await services.presence.remove(challenge_id, member_id, connection)
    if member_id not in presence.online:
        await announce(
            services, RoomEventType.LEAVE, challenge_id=challenge_id, member_id=member_id, presence=presence
        )


async def announce(
    services: Services, type: RoomEventType, *, challenge_id: int, member_id: int, presence: Presence
) -> None:
    event = RoomEventPayload(
        type=type, challenge_id=challenge_id, at=services.clock.now(), member_id=member_id
    ).model_copy(update=presence_fields(presence))
    services.recent_presence.note(challenge_id, presence)  # what this room's next message carries
    await services.bus.publish(room_channel(challenge_id), event)

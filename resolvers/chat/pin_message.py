"""pinMessage: the leader pins one message of the room (replacing the pinned one) or unpins."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from events.room import RoomEventPayload, RoomEventType
from infra.errors import BadInput, Forbidden
from infra.services import Services
from infra.viewer import Viewer
from models.chat import Message, Room
from resolvers.chat.entries import append_entry, message_snapshot
from resolvers.chat.mutations import publish
from resolvers.chat.queries import ensure_room, require_member


async def pin_message(
    *, services: Services, viewer: Viewer, challenge_id: int, message_id: int | None
) -> Room:
    """Pin ``message_id`` (None: unpin), log PIN with the room's next seq and publish it.

    Leader only (FORBIDDEN); the message must be a live one of this room (BAD_USER_INPUT on
    ``messageId``). Pinning what is already pinned, or unpinning an unpinned room, changes and
    logs nothing. Pins count against the leader's ``LIMIT_SEND_MESSAGE``: each one fans out to
    the whole room like a message.
    """
    challenge = await require_member(viewer=viewer, challenge_id=challenge_id)
    if challenge.leader_id != viewer.id:  # type: ignore[attr-defined]
        raise Forbidden("Only the challenge leader can pin a message.")
    if message_id is not None and not await Message.exists(
        id=message_id, room__challenge_id=challenge_id, deleted_at__isnull=True
    ):
        raise BadInput("messageId must be a message of this room.", field="messageId")
    room = await ensure_room(challenge_id=challenge_id)
    if room.pinned_message_id == message_id:
        return room
    await services.limiter.hit(f"send_message:{viewer.id}", services.settings.limit_send_message)
    now = services.clock.now()
    # An unpin is logged against the message it unpins.
    logged = message_id if message_id is not None else room.pinned_message_id
    assert logged is not None
    async with in_transaction():
        seq = await append_entry(
            viewer=viewer,
            challenge_id=challenge_id,
            kind=RoomEventType.PIN,
            message_id=logged,
            at=now,
            added=message_id is not None,
        )
        await Room.filter(id=room.id).update(pinned_message_id=message_id)
    room.pinned_message_id = message_id
    snapshot = await message_snapshot(message_id, challenge_id=challenge_id) if message_id else None
    await publish(
        services,
        RoomEventPayload(
            type=RoomEventType.PIN, challenge_id=challenge_id, at=now, seq=seq, message=snapshot
        ),
    )
    return room

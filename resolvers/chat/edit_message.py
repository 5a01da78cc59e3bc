"""editMessage: the sender changes a message's body within EDIT_WINDOW seconds of sending."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from events.room import MessageSnapshot, RoomEventPayload, RoomEventType
from infra.errors import Conflict, Forbidden, NotFound
from infra.services import Services
from infra.viewer import Viewer
from models.chat import Message
from resolvers.chat.entries import append_entry
from resolvers.chat.mutations import publish, valid_body


async def edit_message(*, services: Services, viewer: Viewer, message_id: int, body: str) -> MessageSnapshot:
    """Change the body (the rules of sending), log EDIT with the room's next seq, publish it.

    A deleted message is NOT_FOUND; another member's is FORBIDDEN; one sent more than
    ``EDIT_WINDOW`` seconds ago is CONFLICT. Edits count against the sender's
    ``LIMIT_SEND_MESSAGE``: each one fans out to the whole room like a message.
    """
    message = await Message.get_or_none(id=message_id, deleted_at__isnull=True).select_related(
        "room", "sender"
    )
    if message is None:
        raise NotFound("No such message.")
    if message.sender_id != viewer.id:  # type: ignore[attr-defined]
        raise Forbidden("Only the sender can edit a message.")
    text = valid_body(body)
    now = services.clock.now()
    if (now - message.created_at).total_seconds() > services.settings.edit_window:
        raise Conflict(f"A message can only be edited within {services.settings.edit_window} seconds.")
    await services.limiter.hit(f"send_message:{viewer.id}", services.settings.limit_send_message)
    challenge_id: int = message.room.challenge_id  # type: ignore[attr-defined]
    async with in_transaction():
        changed = await Message.filter(id=message_id, deleted_at__isnull=True).update(
            body=text, edited_at=now
        )
        if changed != 1:  # deleted concurrently
            raise NotFound("No such message.")
        seq = await append_entry(
            viewer=viewer, challenge_id=challenge_id, kind=RoomEventType.EDIT, message_id=message_id, at=now
        )
    message.body, message.edited_at = text, now
    snapshot = MessageSnapshot.of(message, challenge_id=challenge_id, sender=message.sender)
    await publish(
        services,
        RoomEventPayload(
            type=RoomEventType.EDIT, challenge_id=challenge_id, at=now, seq=seq, message=snapshot
        ),
    )
    return snapshot

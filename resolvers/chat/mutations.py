"""Write side of chat: sending (possibly as a reply) and deleting messages, each taking the
room's next seq."""

from __future__ import annotations

from tortoise import connections
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from events.channels import room_channel
from events.room import MessageSnapshot, RoomEventPayload, RoomEventType, presence_fields
from infra.errors import BadInput, Forbidden, NotFound
from infra.services import Services
from infra.viewer import Viewer
from models.accounts import Member
from models.challenges import Challenge
from models.chat import Message
from resolvers.chat import log
from resolvers.chat.queries import ensure_room, require_member

MAX_BODY = 1000
MAX_CLIENT_MESSAGE_ID = 64


async def _insert(
    *,
    services: Services,
    viewer: Viewer,
    challenge_id: int,
    body: str,
    client_message_id: str | None,
    reply_to_id: int | None,
) -> Message:
    """Store the message with the room's next seq, if the viewer still belongs to the challenge
    when the seq is taken (creating the room of a challenge made before rooms existed)."""
    created_at = services.clock.now()
    values = {
        "sender_id": viewer.id,
        "body": body,
        "client_message_id": client_message_id,
        "reply_to_id": reply_to_id,
        "created_at": created_at,
    }
    row = await log.append(
        challenge_id=challenge_id, table="message", values=values, at=created_at, member_id=viewer.id
    )
    if row is None:  # no room yet, or the viewer left (or the challenge went) since the check
        await require_member(viewer=viewer, challenge_id=challenge_id)
        await ensure_room(challenge_id=challenge_id)
        row = await log.append(
            challenge_id=challenge_id, table="message", values=values, at=created_at, member_id=viewer.id
        )
    if row is None:
        await require_member(viewer=viewer, challenge_id=challenge_id)
        raise NotFound("No such room.")
    message = Message(
        id=row["id"],
        room_id=row["room_id"],
        seq=row["seq"],
        sender_id=viewer.id,
        body=body,
        client_message_id=client_message_id,
        reply_to_id=reply_to_id,
        edited_at=None,
        deleted_at=None,
        created_at=created_at,
    )
    message._saved_in_db = True
    return message


def valid_body(body: str) -> str:
    text = body.strip()
    if not 1 <= len(text) <= MAX_BODY:
        raise BadInput(f"A message is 1 to {MAX_BODY} characters.", field="body")
    return text


async def _sender(viewer: Viewer, challenge_id: int) -> Member:
    """The viewer's member row, if they belong to the challenge (NOT_FOUND / FORBIDDEN
    otherwise): one raw statement on the usual path, the membership check and the sender
    snapshot together (Tortoise's select_related built this query for ~1 ms of CPU)."""
    connection = connections.get("default")
    challenge, member = ("$1", "$2") if connection.capabilities.dialect == "postgres" else ("?", "?")
    rows = await connection.execute_query_dict(
        "SELECT member.* FROM membership JOIN member ON member.id = membership.member_id"
        f" WHERE membership.challenge_id = {challenge} AND membership.member_id = {member}",
        [challenge_id, viewer.id],
    )
    if rows:
        return Member._init_from_db(**rows[0])
    await require_member(viewer=viewer, challenge_id=challenge_id)  # raises the precise error
    return await Member.get(id=viewer.id)  # joined between the two reads


async def publish(services: Services, event: RoomEventPayload) -> None:
    # Presence is read once here, by the publisher, rather than once per subscriber.
    presence = await services.recent_presence.snapshot(event.challenge_id)
    update = presence_fields(presence)
    await services.bus.publish(room_channel(event.challenge_id), event.model_copy(update=update))


async def _check_reply_target(challenge_id: int, reply_to_id: int | None) -> None:
    if reply_to_id is not None and not await Message.exists(
        id=reply_to_id, room__challenge_id=challenge_id, deleted_at__isnull=True
    ):
        raise BadInput("replyToId must be a message of this room.", field="replyToId")


async def send_message(
    *,
    services: Services,
    viewer: Viewer,
    challenge_id: int,
    body: str,
    client_message_id: str | None = None,
    reply_to_id: int | None = None,
) -> MessageSnapshot:
    """Store a message with the room's next seq, then publish it.

    A retry with the same ``client_message_id`` returns the stored message and publishes
    nothing, so clients can resend after a timeout without duplicating. The snapshot carries
    the sender read by the membership check, so the response needs no read of its own.
    """
    text = valid_body(body)
    if client_message_id is not None and not 1 <= len(client_message_id) <= MAX_CLIENT_MESSAGE_ID:
        raise BadInput(
            f"clientMessageId is 1 to {MAX_CLIENT_MESSAGE_ID} characters.", field="clientMessageId"
        )
    sender = await _sender(viewer, challenge_id)
    if client_message_id is not None:
        existing = await Message.get_or_none(
            room__challenge_id=challenge_id, sender_id=viewer.id, client_message_id=client_message_id
        )
        if existing is not None:
            return MessageSnapshot.of(existing, challenge_id=challenge_id, sender=sender)
    await _check_reply_target(challenge_id, reply_to_id)
    await services.limiter.hit(f"send_message:{viewer.id}", services.settings.limit_send_message)
    try:
        message = await _insert(
            services=services,
            viewer=viewer,
            challenge_id=challenge_id,
            body=text,
            client_message_id=client_message_id,
            reply_to_id=reply_to_id,
        )
    except IntegrityError:
        # The same clientMessageId raced in from a concurrent retry: that one won.
        if client_message_id is None:
            raise
        existing = await Message.get(
            room__challenge_id=challenge_id, sender_id=viewer.id, client_message_id=client_message_id
        )
        return MessageSnapshot.of(existing, challenge_id=challenge_id, sender=sender)
    snapshot = MessageSnapshot.of(message, challenge_id=challenge_id, sender=sender)
    await publish(
        services,
        RoomEventPayload(
            type=RoomEventType.MESSAGE,
            challenge_id=challenge_id,
            at=message.created_at,
            seq=message.seq,
            message=snapshot,
        ),
    )
    return snapshot


async def delete_message(*, services: Services, viewer: Viewer, message_id: int) -> int:
    """Soft-delete a message (its sender or the challenge leader) and log a DELETE event."""
    message = await Message.get_or_none(id=message_id, deleted_at__isnull=True).select_related("room")
    if message is None:
        raise NotFound("No such message.")
    challenge_id: int = message.room.challenge_id  # type: ignore[attr-defined]
    if message.sender_id != viewer.id:  # type: ignore[attr-defined]
        challenge = await Challenge.get(id=challenge_id)
        if challenge.leader_id != viewer.id:  # type: ignore[attr-defined]
            raise Forbidden("Only the sender or the challenge leader can delete a message.")
    deleted_at = services.clock.now()
    async with in_transaction():
        deleted = await Message.filter(id=message_id, deleted_at__isnull=True).update(deleted_at=deleted_at)
        if deleted != 1:  # deleted concurrently
            raise NotFound("No such message.")
        entry = await log.append(
            challenge_id=challenge_id,
            table="room_log_entry",
            values={"kind": "DELETE", "message_id": message_id, "created_at": deleted_at},
            at=deleted_at,
        )
        if entry is None:
            raise NotFound("No such room.")
    await publish(
        services,
        RoomEventPayload(
            type=RoomEventType.DELETE,
            challenge_id=challenge_id,
            at=deleted_at,
            seq=entry["seq"],
            message_id=message_id,
        ),
    )
    return message_id

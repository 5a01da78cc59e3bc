"""Write side of chat: sending and deleting messages, each taking the room's next seq."""

from __future__ import annotations

from dataclasses import replace

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from infra.errors import BadInput, Forbidden, NotFound
from infra.services import Services
from infra.viewer import Viewer
from models.accounts import Member
from models.challenges import Challenge, Membership
from models.chat import Message, Room, RoomLogEntry
from resolvers.chat.queries import ensure_room, require_member
from subscriptions.channels import room_channel
from subscriptions.chat_events import MessageSnapshot, RoomEventPayload, RoomEventType, now

MAX_BODY = 1000
MAX_CLIENT_MESSAGE_ID = 64


async def _next_seq(room_id: int, connection: BaseDBAsyncClient) -> int:
    """Take the room's next sequence number inside the caller's transaction.

    The UPDATE locks the room row until commit (PostgreSQL) or holds the single writer lock
    (SQLite), so seqs are handed out one at a time and become visible in order.
    """
    updated = await Room.filter(id=room_id).using_db(connection).update(last_seq=F("last_seq") + 1)
    if updated != 1:
        raise NotFound("No such room.")
    room: Room = await Room.filter(id=room_id).using_db(connection).get()
    return int(room.last_seq)


# One statement takes the next seq AND finds the room (by its challenge): RETURNING works on
# SQLite >= 3.35 and PostgreSQL alike; only the placeholder differs.
_TAKE_SEQ = "UPDATE room SET last_seq = last_seq + 1 WHERE challenge_id = {} RETURNING id, last_seq"


async def _take_seq(challenge_id: int, connection: BaseDBAsyncClient) -> tuple[int, int] | None:
    """(room id, the room's next seq) inside the caller's transaction; None without a room."""
    placeholder = "$1" if connection.capabilities.dialect == "postgres" else "?"
    # execute_query_dict: Tortoise's asyncpg execute_query drops the rows of an UPDATE.
    rows = await connection.execute_query_dict(_TAKE_SEQ.format(placeholder), [challenge_id])
    if not rows:
        return None
    return int(rows[0]["id"]), int(rows[0]["last_seq"])


# PostgreSQL: one statement takes the seq and inserts the message. A data-modifying CTE runs
# atomically on its own, so no BEGIN/COMMIT round trips (4 round trips become 1); the room row
# stays locked until the statement commits, so seqs still become visible in order. SQLite's CTEs
# cannot hold an UPDATE, so it keeps the transaction below.
_SEND_POSTGRES = (
    "WITH taken AS (UPDATE room SET last_seq = last_seq + 1 WHERE challenge_id = $1 RETURNING id, last_seq) "
    "INSERT INTO message (room_id, seq, sender_id, body, client_message_id, created_at) "
    "SELECT id, last_seq, $2, $3, $4, $5 FROM taken RETURNING id, room_id, seq"
)


async def _insert_postgres(
    *, challenge_id: int, sender_id: int, body: str, client_message_id: str | None
) -> Message | None:
    """The stored message, or None when the challenge has no room yet."""
    created_at = now()
    connection = Message._meta.db
    rows = await connection.execute_query_dict(
        _SEND_POSTGRES, [challenge_id, sender_id, body, client_message_id, created_at]
    )
    if not rows:
        return None
    message = Message(
        id=rows[0]["id"], room_id=rows[0]["room_id"], seq=rows[0]["seq"], sender_id=sender_id, body=body,
        client_message_id=client_message_id, deleted_at=None, created_at=created_at,
    )
    message._saved_in_db = True
    return message


async def _insert(
    *, challenge_id: int, sender_id: int, body: str, client_message_id: str | None
) -> Message | None:
    """Take the room's next seq and store the message in one transaction; None without a room."""
    if Message._meta.db.capabilities.dialect == "postgres":
        return await _insert_postgres(
            challenge_id=challenge_id, sender_id=sender_id, body=body, client_message_id=client_message_id
        )
    async with in_transaction() as connection:
        taken = await _take_seq(challenge_id, connection)
        if taken is None:
            return None
        room_id, seq = taken
        return await Message.create(
            using_db=connection, room_id=room_id, seq=seq, sender_id=sender_id, body=body,
            client_message_id=client_message_id,
        )


async def _sender(viewer: Viewer, challenge_id: int) -> Member:
    """The viewer's member row, if they belong to the challenge (NOT_FOUND / FORBIDDEN
    otherwise): one statement on the usual path, the membership check and the sender snapshot
    together."""
    membership = await Membership.get_or_none(challenge_id=challenge_id, member_id=viewer.id).select_related(
        "member"
    )
    if membership is not None:
        return membership.member
    await require_member(viewer=viewer, challenge_id=challenge_id)  # raises the precise error
    return await Member.get(id=viewer.id)  # joined between the two reads


async def _publish(services: Services, event: RoomEventPayload) -> None:
    # Presence is read once here, by the publisher, rather than once per subscriber.
    online = tuple(await services.presence.online(event.challenge_id))
    await services.bus.publish(room_channel(event.challenge_id), replace(event, online=online).encode())


async def send_message(
    *,
    services: Services,
    viewer: Viewer,
    challenge_id: int,
    body: str,
    client_message_id: str | None = None,
) -> MessageSnapshot:
    """Store a message with the room's next seq, then publish it.

    A retry with the same ``client_message_id`` returns the stored message and publishes
    nothing, so clients can resend after a timeout without duplicating. The snapshot carries
    the sender read by the membership check, so the response needs no read of its own.
    """
    text = body.strip()
    if not 1 <= len(text) <= MAX_BODY:
        raise BadInput(f"A message is 1 to {MAX_BODY} characters.", field="body")
    if client_message_id is not None and not 1 <= len(client_message_id) <= MAX_CLIENT_MESSAGE_ID:
        raise BadInput(
            f"clientMessageId is 1 to {MAX_CLIENT_MESSAGE_ID} characters.", field="clientMessageId"
        )
    sender = await _sender(viewer, challenge_id)
    if client_message_id is not None:
        existing = await Message.get_or_none(sender_id=viewer.id, client_message_id=client_message_id)
        if existing is not None:
            return MessageSnapshot.of(existing, challenge_id=challenge_id, sender=sender)
    await services.limiter.hit(f"send_message:{viewer.id}", services.settings.limit_send_message)
    try:
        message: Message | None = None
        for _attempt in range(2):  # the second only after creating a missing room
            message = await _insert(
                challenge_id=challenge_id, sender_id=viewer.id, body=text, client_message_id=client_message_id
            )
            if message is not None:
                break
            # Challenges made before rooms existed get theirs on first use.
            await ensure_room(challenge_id=challenge_id)
        if message is None:
            raise NotFound("No such room.")
    except IntegrityError:
        # The same clientMessageId raced in from a concurrent retry: that one won.
        if client_message_id is None:
            raise
        existing = await Message.get(sender_id=viewer.id, client_message_id=client_message_id)
        return MessageSnapshot.of(existing, challenge_id=challenge_id, sender=sender)
    snapshot = MessageSnapshot.of(message, challenge_id=challenge_id, sender=sender)
    await _publish(
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
    async with in_transaction() as connection:
        deleted = await Message.filter(id=message_id, deleted_at__isnull=True).using_db(connection).update(
            deleted_at=now()
        )
        if deleted != 1:  # deleted concurrently
            raise NotFound("No such message.")
        seq = await _next_seq(message.room.id, connection)
        entry = await RoomLogEntry.create(
            using_db=connection, room_id=message.room.id, seq=seq, kind="DELETE", message_id=message_id
        )
    await _publish(
        services,
        RoomEventPayload(
            type=RoomEventType.DELETE,
            challenge_id=challenge_id,
            at=entry.created_at,
            seq=seq,
            message_id=message_id,
        ),
    )
    return message_id

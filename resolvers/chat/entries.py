"""Durable non-message events of a room's log (EDIT, REACTION, PIN), written through log.py."""

from __future__ import annotations

import datetime as dt

from events.room import MessageSnapshot, RoomEventType
from infra.errors import NotFound
from infra.viewer import Viewer
from models.accounts import Member
from models.chat import Message
from resolvers.chat import log
from resolvers.chat.queries import require_member


async def append_entry(
    *,
    viewer: Viewer,
    challenge_id: int,
    kind: RoomEventType,
    message_id: int,
    at: dt.datetime,
    emoji: str | None = None,
    added: bool | None = None,
) -> int:
    """Log ``kind`` with the room's next seq, while ``viewer`` is a member (FORBIDDEN /
    NOT_FOUND otherwise); its seq. Call it inside the transaction that makes the change, so a
    refused entry undoes the change too."""
    values = {
        "kind": kind.value,
        "message_id": message_id,
        "member_id": viewer.id,
        "emoji": emoji,
        "added": added,
        "created_at": at,
    }
    row = await log.append(
        challenge_id=challenge_id, table="room_log_entry", values=values, at=at, member_id=viewer.id
    )
    if row is None:
        await require_member(viewer=viewer, challenge_id=challenge_id)  # raises the precise error
        raise NotFound("No such room.")
    seq: int = row["seq"]
    return seq


async def message_snapshot(message_id: int, *, challenge_id: int) -> MessageSnapshot | None:
    """The message as it is now (None once deleted), with its sender."""
    message = await Message.get_or_none(id=message_id, deleted_at__isnull=True)
    if message is None:
        return None
    sender = await Member.get(id=message.sender_id)  # type: ignore[attr-defined]
    return MessageSnapshot.of(message, challenge_id=challenge_id, sender=sender)

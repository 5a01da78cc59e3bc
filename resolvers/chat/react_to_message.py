"""reactToMessage: a member adds (or takes back) one emoji on a message of their room."""

from __future__ import annotations

import datetime as dt

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from events.room import MessageSnapshot, RoomEventPayload, RoomEventType
from infra.errors import BadInput, Conflict, NotFound
from infra.services import Services
from infra.viewer import Viewer
from models.accounts import Member
from models.chat import Message, Reaction
from resolvers.chat.emoji import is_one_emoji
from resolvers.chat.entries import append_entry
from resolvers.chat.mutations import publish
from resolvers.chat.queries import require_member

MAX_DISTINCT_EMOJI = 20


class _UnchangedError(Exception):
    """A concurrent twin of this reaction got there first: nothing to log."""


async def _change(
    *, viewer: Viewer, message_id: int, challenge_id: int, emoji: str, reacted: bool, at: dt.datetime
) -> int:
    """Add or remove the reaction and log it, in one transaction; the entry's seq.

    The entry is taken first: it locks the room's row (PostgreSQL) or the database (SQLite)
    until commit, so the count of distinct emoji below cannot race another reaction.
    """
    async with in_transaction():
        seq = await append_entry(
            viewer=viewer,
            challenge_id=challenge_id,
            kind=RoomEventType.REACTION,
            message_id=message_id,
            at=at,
            emoji=emoji,
            added=reacted,
        )
        mine = Reaction.filter(message_id=message_id, member_id=viewer.id, emoji=emoji)
        if not reacted:
            if await mine.delete() == 0:
                raise _UnchangedError
            return seq
        if await mine.exists():
            raise _UnchangedError
        others = Reaction.filter(message_id=message_id).exclude(emoji=emoji)
        if len(await others.distinct().values_list("emoji", flat=True)) >= MAX_DISTINCT_EMOJI:
            raise Conflict(f"A message holds at most {MAX_DISTINCT_EMOJI} different reactions.")
        await Reaction.create(message_id=message_id, member_id=viewer.id, emoji=emoji, created_at=at)
        return seq


async def react_to_message(
    *, services: Services, viewer: Viewer, message_id: int, emoji: str, reacted: bool = True
) -> MessageSnapshot:
    """Add (``reacted``) or remove the viewer's ``emoji`` on a message, idempotently: a change
    is logged as REACTION with the room's next seq and published; no change logs nothing."""
    if not is_one_emoji(emoji):
        raise BadInput("emoji must be exactly one emoji.", field="emoji")
    message = await Message.get_or_none(id=message_id, deleted_at__isnull=True).select_related("room")
    if message is None:
        raise NotFound("No such message.")
    challenge_id: int = message.room.challenge_id  # type: ignore[attr-defined]
    await require_member(viewer=viewer, challenge_id=challenge_id)
    await services.limiter.hit(f"react:{viewer.id}", services.settings.limit_react)
    now = services.clock.now()
    sender = await Member.get(id=message.sender_id)  # type: ignore[attr-defined]
    snapshot = MessageSnapshot.of(message, challenge_id=challenge_id, sender=sender)
    try:
        seq = await _change(
            viewer=viewer,
            message_id=message_id,
            challenge_id=challenge_id,
            emoji=emoji,
            reacted=reacted,
            at=now,
        )
    except (_UnchangedError, IntegrityError):  # IntegrityError: the same reaction added concurrently
        return snapshot
    await publish(
        services,
        RoomEventPayload(
            type=RoomEventType.REACTION,
            challenge_id=challenge_id,
            at=now,
            seq=seq,
            message=snapshot,
            member_id=viewer.id,
            emoji=emoji,
            reacted=reacted,
        ),
    )
    return snapshot

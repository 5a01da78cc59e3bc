"""Read side of chat: who may read a room, history pages, and the room log replay."""

from __future__ import annotations

from collections.abc import Iterable

from tortoise.exceptions import IntegrityError

from events.room import MessageSnapshot, RoomEventPayload, RoomEventType
from infra.errors import Forbidden, NotFound
from infra.paging import page_size
from infra.viewer import Viewer
from models.accounts import Member
from models.challenges import Challenge, Membership
from models.chat import Message, Room, RoomLogEntry

REPLAY_BATCH = 500


async def require_member(*, viewer: Viewer, challenge_id: int) -> Challenge:
    """The challenge, if ``viewer`` is one of its members (NOT_FOUND / FORBIDDEN otherwise)."""
    challenge = await Challenge.get_or_none(id=challenge_id)
    if challenge is None:
        raise NotFound("No such challenge.")
    if not await Membership.exists(challenge_id=challenge_id, member_id=viewer.id):
        raise Forbidden("Only members of this challenge can use its chat room.")
    return challenge


async def ensure_room(*, challenge_id: int) -> Room:
    """The challenge's room, created on first use if the challenge has none yet."""
    room = await Room.get_or_none(challenge_id=challenge_id)
    if room is not None:
        return room
    try:
        return await Room.create(challenge_id=challenge_id)
    except IntegrityError:  # created concurrently
        return await Room.get(challenge_id=challenge_id)


async def message_page(
    *, viewer: Viewer, challenge_id: int, last: int, before_seq: int | None
) -> tuple[list[Message], bool]:
    """Up to ``last`` live messages before ``before_seq``, oldest first, and whether older
    ones exist."""
    page_size(last, field="last")
    await require_member(viewer=viewer, challenge_id=challenge_id)
    query = Message.filter(room__challenge_id=challenge_id, deleted_at__isnull=True)
    if before_seq is not None:
        query = query.filter(seq__lt=before_seq)
    rows = await query.order_by("-seq").limit(last + 1)
    return list(reversed(rows[:last])), len(rows) > last


async def last_seq(*, challenge_id: int) -> int:
    room = await Room.get_or_none(challenge_id=challenge_id)
    return room.last_seq if room else 0


def _entry_event(
    entry: RoomLogEntry, challenge_id: int, snapshots: dict[int, MessageSnapshot]
) -> RoomEventPayload | None:
    """The event of a log entry, with its message as it is now; None for an EDIT or REACTION of
    a message deleted since (its DELETE replays)."""
    kind = RoomEventType(entry.kind)
    message_id: int = entry.message_id  # type: ignore[attr-defined]
    snapshot = snapshots.get(message_id)
    if kind in (RoomEventType.EDIT, RoomEventType.REACTION) and snapshot is None:
        return None
    return RoomEventPayload(
        type=kind,
        challenge_id=challenge_id,
        at=entry.created_at,
        seq=entry.seq,
        message=snapshot if kind is not RoomEventType.DELETE and entry.added is not False else None,
        message_id=message_id if kind is RoomEventType.DELETE else None,
        member_id=entry.member_id if kind is RoomEventType.REACTION else None,
        emoji=entry.emoji,
        reacted=entry.added if kind is RoomEventType.REACTION else None,
    )


async def _snapshots(challenge_id: int, messages: list[Message]) -> dict[int, MessageSnapshot]:
    sender_ids = {message.sender_id for message in messages}  # type: ignore[attr-defined]
    senders = {member.id: member for member in await Member.filter(id__in=sender_ids)}
    return {
        message.id: MessageSnapshot.of(
            message,
            challenge_id=challenge_id,
            sender=senders[message.sender_id],  # type: ignore[attr-defined]
        )
        for message in messages
    }


async def replay(*, challenge_id: int, after_seq: int, limit: int = REPLAY_BATCH) -> list[RoomEventPayload]:
    """Durable events with ``seq > after_seq``, in order, at most ``limit`` of them.

    Deleted messages are left out (their DELETE entry still replays, for clients that saw
    them), so history never shows a deleted message again; EDIT, REACTION and PIN carry their
    message as it is now. Callers loop until it returns nothing to page through a long log.
    """
    messages = (
        await Message.filter(room__challenge_id=challenge_id, seq__gt=after_seq, deleted_at__isnull=True)
        .order_by("seq")
        .limit(limit)
    )
    entries = (
        await RoomLogEntry.filter(room__challenge_id=challenge_id, seq__gt=after_seq)
        .order_by("seq")
        .limit(limit)
    )
    changed = {entry.message_id for entry in entries if entry.kind != "DELETE"}  # type: ignore[attr-defined]
    changed -= {message.id for message in messages}
    targets = await Message.filter(id__in=changed, deleted_at__isnull=True) if changed else []
    snapshots = await _snapshots(challenge_id, [*messages, *targets])
    events = [
        RoomEventPayload(
            type=RoomEventType.MESSAGE,
            challenge_id=challenge_id,
            at=message.created_at,
            seq=message.seq,
            message=snapshots[message.id],
        )
        for message in messages
    ]
    events += [event for entry in entries if (event := _entry_event(entry, challenge_id, snapshots))]
    events.sort(key=lambda event: event.seq or 0)
    # Each list was cut at ``limit``: keep only the prefix both lists fully cover.
    cut = [rows[-1].seq for rows in (messages, entries) if len(rows) == limit]
    if cut:
        events = [event for event in events if (event.seq or 0) <= min(cut)]
    return events


async def challenge_exists(*, challenge_id: int) -> bool:
    return await Challenge.exists(id=challenge_id)


async def room_heads(*, challenge_ids: Iterable[int]) -> dict[int, int]:
    """The last seq of each room whose challenge still exists (0 for one without a room yet);
    a deleted challenge is absent. One query, however many rooms."""
    rows = await Challenge.filter(id__in=list(challenge_ids)).values_list("id", "room__last_seq")
    return {challenge_id: last_seq or 0 for challenge_id, last_seq in rows}


async def members_of(*, challenge_ids: Iterable[int], member_ids: Iterable[int]) -> set[tuple[int, int]]:
    """Which of these members belong to which of these challenges, as (challenge, member)."""
    rows = await Membership.filter(
        challenge_id__in=list(challenge_ids), member_id__in=list(member_ids)
    ).values_list("challenge_id", "member_id")
    return {(challenge_id, member_id) for challenge_id, member_id in rows}


async def still_member(*, viewer: Viewer, challenge_id: int) -> None:
    """``require_member`` at the cost of one query while the viewer still belongs."""
    if not await Membership.exists(challenge_id=challenge_id, member_id=viewer.id):
        await require_member(viewer=viewer, challenge_id=challenge_id)
        raise Forbidden("Only members of this challenge can use its chat room.")

"""Read positions, unread counts and the viewer's rooms by latest activity.

Every batch here is one statement however many rooms it covers, so a page of rooms costs a
fixed number of statements. An unread count never scans a room: it counts at most
``UNREAD_CAP + 1`` rows of an index range, ``(room_id, seq)`` after the read position or
``(room_id, created_at)`` after the viewer joined.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from tortoise import connections
from tortoise.expressions import Q

from infra.errors import BadInput
from infra.paging import page_size
from infra.viewer import Viewer
from models.challenges import Membership
from resolvers.chat.queries import last_seq, require_member

UNREAD_CAP = 999


class ReadState(NamedTuple):
    """One member's reading of one room: their position (None: never marked) and how many
    messages of others are after it (at most :data:`UNREAD_CAP`)."""

    read_seq: int | None
    unread: int


class RoomRow(NamedTuple):
    room_id: int
    challenge_id: int


def _placeholders(count: int, *, start: int, postgres: bool) -> str:
    if postgres:
        return ", ".join(f"${start + index}" for index in range(count))
    return ", ".join("?" * count)


def _unread(after: str, order: str) -> str:
    # Ordered by the index's own column: the planner then walks that index range and stops at
    # the cap, where without an order it may prefer scanning the table (one busy room).
    return (
        "(SELECT COUNT(*) FROM (SELECT 1 FROM message x WHERE x.room_id = r.id AND "
        f"{after} AND x.sender_id <> m.member_id AND x.deleted_at IS NULL "
        f"ORDER BY x.{order} LIMIT {UNREAD_CAP + 1}) counted)"
    )


async def read_states(member_id: int, challenge_ids: Sequence[int]) -> dict[int, ReadState]:
    """The member's read state of each of these rooms they belong to (absent: not a member)."""
    if not challenge_ids:
        return {}
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    member = "$1" if postgres else "?"
    sql = (
        f"SELECT m.challenge_id, m.read_seq, CASE WHEN m.read_seq IS NULL "
        f"THEN {_unread('x.created_at > m.joined_at', 'created_at')} "
        f"ELSE {_unread('x.seq > m.read_seq', 'seq')} END AS unread "
        "FROM membership m JOIN room r ON r.challenge_id = m.challenge_id "
        f"WHERE m.member_id = {member} AND m.challenge_id IN "
        f"({_placeholders(len(challenge_ids), start=2, postgres=postgres)})"
    )
    rows = await connection.execute_query_dict(sql, [member_id, *challenge_ids])
    return {
        row["challenge_id"]: ReadState(row["read_seq"], min(int(row["unread"]), UNREAD_CAP)) for row in rows
    }


async def last_message_ids(challenge_ids: Sequence[int]) -> dict[int, int]:
    """The id of each room's latest live message (rooms without one are absent)."""
    if not challenge_ids:
        return {}
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    sql = (
        "SELECT r.challenge_id, (SELECT y.id FROM message y WHERE y.room_id = r.id AND y.deleted_at IS NULL "
        "ORDER BY y.seq DESC LIMIT 1) AS message_id FROM room r WHERE r.challenge_id IN "
        f"({_placeholders(len(challenge_ids), start=1, postgres=postgres)})"
    )
    rows = await connection.execute_query_dict(sql, list(challenge_ids))
    return {row["challenge_id"]: row["message_id"] for row in rows if row["message_id"] is not None}


async def mark_room_read(*, viewer: Viewer, challenge_id: int, seq: int) -> None:
    """Move the viewer's read position to ``seq``, forward only: an older one changes nothing.
    A position past the room's log is BAD_USER_INPUT (``cursor``)."""
    await require_member(viewer=viewer, challenge_id=challenge_id)
    if seq > await last_seq(challenge_id=challenge_id):
        raise BadInput("This cursor is past the room's log.", field="cursor")
    behind = Q(read_seq__isnull=True) | Q(read_seq__lt=seq)
    await Membership.filter(behind, challenge_id=challenge_id, member_id=viewer.id).update(read_seq=seq)


async def my_rooms(
    *, viewer: Viewer, first: int, after_room_id: int | None
) -> tuple[list[RoomRow], bool, int]:
    """A page of the viewer's rooms, latest activity first (then newest room first), whether
    more follow, and how many rooms the viewer has: two statements."""
    page_size(first, field="first")
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"

    def mark(number: int) -> str:
        return f"${number}" if postgres else "?"

    activity = "COALESCE(r.active_at, r.created_at)"
    values: list[object] = [viewer.id]
    after = ""
    if after_room_id is not None:
        values += [after_room_id, viewer.id]
        after = (
            f" AND ({activity}, r.id) < (SELECT COALESCE(active_at, created_at), id FROM room "
            # only a room of the viewer's: another room's position would tell when it was active
            f"WHERE id = {mark(2)} AND challenge_id IN "
            f"(SELECT challenge_id FROM membership WHERE member_id = {mark(3)}))"
        )
    values.append(first + 1)
    sql = (
        "SELECT r.id AS room_id, r.challenge_id FROM room r "
        "JOIN membership m ON m.challenge_id = r.challenge_id "
        f"WHERE m.member_id = {mark(1)}{after} ORDER BY {activity} DESC, r.id DESC LIMIT {mark(len(values))}"
    )
    rows = await connection.execute_query_dict(sql, values)
    total = await Membership.filter(member_id=viewer.id, challenge__room__id__isnull=False).count()
    page = [RoomRow(row["room_id"], row["challenge_id"]) for row in rows[:first]]
    return page, len(rows) > first, total

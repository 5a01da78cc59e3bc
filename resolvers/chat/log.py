"""A room's durable log: the one way to take the room's next sequence number.

Every durable event (a message, a deletion, ...) is a row with the room's next ``seq``, taken
by one UPDATE of ``room.last_seq`` in the statement or transaction that inserts the row. The
UPDATE locks the room row until commit (PostgreSQL) or holds the single writer lock (SQLite),
so seqs are handed out one at a time and become visible in order.

On PostgreSQL the UPDATE and the INSERT are one statement (a data-modifying CTE commits
atomically on its own: one round trip instead of four); SQLite's CTEs cannot hold an UPDATE,
so there the two statements share a transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

# Takes the next seq and finds the room (by its challenge) at once.
_TAKE_SEQ = "UPDATE room SET last_seq = last_seq + 1 WHERE challenge_id = {challenge} RETURNING id, last_seq"


def _placeholders(connection: BaseDBAsyncClient, count: int) -> list[str]:
    if connection.capabilities.dialect == "postgres":
        return [f"${index}" for index in range(1, count + 1)]
    return ["?"] * count


async def append(*, challenge_id: int, table: str, values: Mapping[str, object]) -> dict[str, Any] | None:
    """Insert a row of ``table`` (``message``, ``room_log_entry``) with ``room_id`` and the
    room's next ``seq``; returns the row's ``id``, ``room_id`` and ``seq``, or None when the
    challenge has no room."""
    connection = connections.get("default")
    names = list(values)
    marks = _placeholders(connection, 1 + len(names))
    take = _TAKE_SEQ.format(challenge=marks[0])
    columns = ", ".join(["room_id", "seq", *names])
    if connection.capabilities.dialect == "postgres":
        sql = (
            f"WITH taken AS ({take}) INSERT INTO {table} ({columns}) "
            f"SELECT id, last_seq, {', '.join(marks[1:])} FROM taken RETURNING id, room_id, seq"
        )
        rows = await connection.execute_query_dict(sql, [challenge_id, *values.values()])
        return rows[0] if rows else None
    async with in_transaction() as transaction:
        taken = await transaction.execute_query_dict(take, [challenge_id])
        if not taken:
            return None
        room_id, seq = taken[0]["id"], taken[0]["last_seq"]
        insert = (
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['?'] * (2 + len(names)))}) RETURNING id"
        )
        inserted = await transaction.execute_query_dict(insert, [room_id, seq, *values.values()])
        return {"id": inserted[0]["id"], "room_id": room_id, "seq": seq}

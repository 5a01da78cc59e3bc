"""A room's durable log: the one way to take the room's next sequence number.

Every durable event (a message, a deletion, ...) is a row with the room's next ``seq``, taken
by one UPDATE of ``room.last_seq`` in the statement or transaction that inserts the row. The
UPDATE locks the room row until commit (PostgreSQL) or holds the single writer lock (SQLite),
so seqs are handed out one at a time and become visible in order.

On PostgreSQL the UPDATE and the INSERT are one statement (a data-modifying CTE commits
atomically on its own: one round trip instead of four); SQLite's CTEs cannot hold an UPDATE,
so there the two statements share a transaction, run in one call on the database's thread.

A write that requires membership (a post) checks it in the statement that takes the seq, so no
post can land after its sender's leave committed. On PostgreSQL the sender's membership row is
locked (FOR KEY SHARE, before the room row) until the post commits, so a concurrent leave waits
for the post instead of slipping between the check and the insert; on SQLite the UPDATE holds
the database's single write lock.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Mapping
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

from infra.db import sqlite_transaction


class _Parameters:
    """Query parameters and their placeholders, in the connection's dialect."""

    def __init__(self, connection: BaseDBAsyncClient) -> None:
        self.postgres = connection.capabilities.dialect == "postgres"
        self.values: list[object] = []

    def __call__(self, value: object) -> str:
        self.values.append(value)
        return f"${len(self.values)}" if self.postgres else "?"


def _take_seq(mark: _Parameters, challenge_id: int, member_id: int | None, at: dt.datetime) -> str:
    """The UPDATE that takes the room's next seq (and finds the room by its challenge) and
    records when the room was last active."""
    active_at = mark(at)
    where = f"challenge_id = {mark(challenge_id)}"
    if member_id is not None:
        # On PostgreSQL locked before the room row and until commit: a leave waits for this post.
        lock = " FOR KEY SHARE" if mark.postgres else ""
        where += (
            f" AND EXISTS (SELECT 1 FROM membership WHERE challenge_id = {mark(challenge_id)}"
            f" AND member_id = {mark(member_id)}{lock})"
        )
    taken = f"last_seq = last_seq + 1, active_at = {active_at}"
    return f"UPDATE room SET {taken} WHERE {where} RETURNING id, last_seq"


async def append(
    *,
    challenge_id: int,
    table: str,
    values: Mapping[str, object],
    at: dt.datetime,
    member_id: int | None = None,
) -> dict[str, Any] | None:
    """Insert a row of ``table`` (``message``, ``room_log_entry``) with ``room_id`` and the
    room's next ``seq`` (the room was active ``at``); returns the row's ``id``, ``room_id`` and
    ``seq``, or None when the challenge has no room or, given ``member_id``, that member does
    not belong to it."""
    connection = connections.get("default")
    mark = _Parameters(connection)
    take = _take_seq(mark, challenge_id, member_id, at)
    columns = ", ".join(["room_id", "seq", *values])
    if mark.postgres:
        row = ", ".join(mark(value) for value in values.values())
        sql = (
            f"WITH taken AS ({take}) INSERT INTO {table} ({columns}) "
            f"SELECT id, last_seq, {row} FROM taken RETURNING id, room_id, seq"
        )
        rows = await connection.execute_query_dict(sql, mark.values)
        return rows[0] if rows else None

    def write(connection: sqlite3.Connection) -> dict[str, Any] | None:
        taken = connection.execute(take, mark.values).fetchone()
        if taken is None:
            return None
        room_id, seq = taken[0], taken[1]
        marks = ", ".join(["?"] * (2 + len(values)))
        inserted = connection.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id", [room_id, seq, *values.values()]
        ).fetchone()
        return {"id": inserted[0], "room_id": room_id, "seq": seq}

    return await sqlite_transaction(write)

"""A database as it was before the schedule columns, for the data migration's test.

``python -m tests.challenges.schedule_migration DATABASE_URL FREQUENCY...`` migrates a fresh
database up to 0001_initial and stores one challenge per frequency; ``... --read`` prints the
challenges' (frequency, period, times, marked as notified) as JSON after the real
``main.py migrate`` ran.
In a process of its own: a second ORM context inside the test process would rebind its models.
"""

from __future__ import annotations

import asyncio
import json
import sys

from tortoise.context import TortoiseContext
from tortoise.migrations.api import migrate

from infra.db import tortoise_config
from infra.settings import Settings

MEMBER = (
    "INSERT INTO member (email, nickname, nickname_key, bricks_count, notification_seq, created_at, "
    "updated_at) VALUES ('old@example.com', 'old', 'old', 0, 0, '2026-01-01 00:00:00+00:00', "
    "'2026-01-01 00:00:00+00:00')"
)
CHALLENGE = (
    "INSERT INTO challenge (title, category, description, start_date, due_date, frequency, "
    "auth_explanation, limit_attendance, current_attendance, leader_id, created_at, updated_at) "
    "VALUES ('old', 'IT', '', '2026-01-01', '2026-02-01', '{}', 'photo', 5, 1, "
    "(SELECT id FROM member WHERE nickname_key = 'old'), '2026-01-01 00:00:00+00:00', "
    "'2026-01-01 00:00:00+00:00')"
)


async def before_schedules(url: str, frequencies: list[str]) -> None:
    config = tortoise_config(Settings(DATABASE_URL=url))  # type: ignore[call-arg]
    async with TortoiseContext() as context:
        await context.init(config=config)
        await migrate(config=config, target="models.0001_initial")
    async with TortoiseContext() as context:
        await context.init(config=config)
        connection = context.connections.get("default")
        await connection.execute_script(MEMBER)
        for frequency in frequencies:
            await connection.execute_script(CHALLENGE.format(frequency.replace("'", "''")))


async def schedules(url: str) -> list[list[object]]:
    config = tortoise_config(Settings(DATABASE_URL=url))  # type: ignore[call-arg]
    async with TortoiseContext() as context:
        await context.init(config=config)
        rows = await context.connections.get("default").execute_query_dict(
            "SELECT frequency, schedule_period, schedule_times, finished_notified_at "
            "FROM challenge ORDER BY id"
        )
    return [
        [
            row["frequency"],
            row["schedule_period"],
            row["schedule_times"],
            row["finished_notified_at"] is not None,
        ]
        for row in rows
    ]


if __name__ == "__main__":
    database, *rest = sys.argv[1:]
    if rest == ["--read"]:
        print(json.dumps(asyncio.run(schedules(database))))
    else:
        asyncio.run(before_schedules(database, rest))

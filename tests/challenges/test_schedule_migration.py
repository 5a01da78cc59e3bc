"""0002_progress gives every existing challenge a schedule parsed from its frequency, and marks
those that ended long before as notified (no late FINISHED notices)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import USES_POSTGRES
from tests.support.servers import PROJECT, PostgresServer

FREQUENCIES = [
    "DAILY",
    " 매 일 ",
    "3 times a week",
    "Weekly 5",
    "주 2회",
    "every other day",
    "8 times a week",
]


@pytest.fixture
def old_database(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if USES_POSTGRES:
        server: PostgresServer = request.getfixturevalue("postgres")
        return server.create_database(f"old_{secrets.token_hex(4)}")
    return f"sqlite://{tmp_path / 'old.sqlite3'}"


def _run(*argv: str, database: str) -> str:
    run = subprocess.run(
        [sys.executable, *argv],
        cwd=PROJECT,
        env={**os.environ, "DATABASE_URL": database},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def test_migrate_fills_schedules_from_frequencies(old_database: str) -> None:
    # given challenges stored before schedules existed
    _run("-m", "tests.challenges.schedule_migration", old_database, *FREQUENCIES, database=old_database)

    # when the database is migrated
    output = _run("main.py", "migrate", database=old_database)

    # then each got its parsed schedule, the two unparseable ones DAY x 1, and the count is printed;
    # all of them ended in February, so none will get a FINISHED notice now
    read = _run("-m", "tests.challenges.schedule_migration", old_database, "--read", database=old_database)
    assert json.loads(read) == [
        ["DAILY", "DAY", 1, True],
        [" 매 일 ", "DAY", 1, True],
        ["3 times a week", "WEEK", 3, True],
        ["Weekly 5", "WEEK", 5, True],
        ["주 2회", "WEEK", 2, True],
        ["every other day", "DAY", 1, True],
        ["8 times a week", "DAY", 1, True],
    ]
    assert "2 challenge(s) with an unparseable frequency were given DAY x 1" in output

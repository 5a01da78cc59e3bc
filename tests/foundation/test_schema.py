"""The served SDL: committed snapshot, public contract, migrations in step with models."""

from __future__ import annotations

import os
import subprocess
import sys

from schema.root import sdl
from tests.support.servers import PROJECT

CONTRACT_CHECK = PROJECT.parent / "shared" / "tools" / "contract_check.py"


def test_committed_sdl_snapshot_is_current() -> None:
    committed = (PROJECT / "schema.graphql").read_text()

    assert committed == sdl() + "\n", "schema.graphql is stale: run `make schema`"


def test_contract_has_no_breaking_change() -> None:
    run = subprocess.run(
        [sys.executable, str(CONTRACT_CHECK)], cwd=PROJECT, capture_output=True, text=True, timeout=120
    )

    assert run.returncode == 0, run.stdout + run.stderr


def test_migrations_match_models() -> None:
    # In a subprocess: initialising a second ORM context here would rebind the test process's
    # models to another database dialect.
    run = subprocess.run(
        [sys.executable, "main.py", "makemigrations", "--check"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DATABASE_URL": "sqlite://:memory:"},
    )

    assert run.returncode == 0, "models changed without a migration: run `make migrations`\n" + run.stdout

"""The served SDL: committed snapshot, compatibility with the last release, migrations in step
with models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from graphql import build_schema, find_breaking_changes

from schema.root import sdl
from tests.support.servers import PROJECT

# The SDL of every release, as shipped: clients written against any of them keep working.
RELEASES = sorted((PROJECT / "schema" / "releases").glob("*.graphql"))


def test_committed_sdl_snapshot_is_current() -> None:
    committed = (PROJECT / "schema.graphql").read_text()

    assert committed == sdl() + "\n", "schema.graphql is stale: run `make schema`"


@pytest.mark.parametrize("release", RELEASES, ids=lambda path: path.stem)
def test_served_schema_has_no_breaking_change_since_release(release: Path) -> None:
    shipped = build_schema(release.read_text())

    breaking = find_breaking_changes(shipped, build_schema(sdl()))

    assert [f"{change.type.name}: {change.description}" for change in breaking] == []


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

"""The served SDL: committed snapshot, public contract, migrations in step with models."""

from __future__ import annotations

import subprocess
import sys

from infra.db import tortoise_config
from infra.settings import Settings
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


async def test_migrations_match_models(tmp_path: object) -> None:
    from tortoise.context import TortoiseContext
    from tortoise.migrations.autodetector import MigrationAutodetector

    config = tortoise_config(Settings(DATABASE_URL="sqlite://:memory:"))  # type: ignore[call-arg]
    async with TortoiseContext() as context:
        await context.init(config=config)
        writers = await MigrationAutodetector(context.apps, config["apps"]).changes()

    assert not writers, "models changed without a migration: run `make migrations`"

"""Database configuration, connection lifecycle and migrations (Tortoise's own)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from tortoise import Tortoise, connections
from tortoise.context import TortoiseContext
from tortoise.exceptions import IntegrityError, OperationalError
from tortoise.migrations.api import migrate as tortoise_migrate

from infra.settings import Settings
from models import MODEL_MODULES

MIGRATIONS_MODULE = "models.migrations"
T = TypeVar("T")


def tortoise_config(settings: Settings) -> dict[str, Any]:
    return {
        "connections": {"default": _connection(settings.database_url, settings.sqlite_synchronous)},
        "apps": {
            "models": {
                "models": MODEL_MODULES,
                "default_connection": "default",
                "migrations": MIGRATIONS_MODULE,
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def _connection(url: str, synchronous: str = "NORMAL") -> str | dict[str, Any]:
    if url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://")
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # WAL lets readers run beside the single writer; a busy timeout rides out lock contention.
        return {
            "engine": "tortoise.backends.sqlite",
            "credentials": {
                "file_path": path,
                "journal_mode": "WAL",
                "journal_size_limit": 16384,
                "foreign_keys": "ON",
                "busy_timeout": 10000,
                # See docs/OPERATIONS.md: NORMAL may lose the last commits on a power cut (never
                # on a crash of the process), FULL syncs the WAL on every commit.
                "synchronous": synchronous,
            },
        }
    return url


async def open_database(settings: Settings) -> None:
    # The global fallback makes the connections visible to request tasks, which do not
    # inherit the lifespan task's context variables.
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)


async def close_database() -> None:
    await Tortoise.close_connections()


async def migrate(settings: Settings) -> None:
    """Apply every pending migration (idempotent), in a context of its own."""
    config = tortoise_config(settings)
    async with TortoiseContext() as context:
        await context.init(config=config)
        await tortoise_migrate(config=config)


async def sqlite_transaction(work: Callable[[sqlite3.Connection], T]) -> T:
    """Run ``work`` on the SQLite connection in one transaction and one trip to aiosqlite's
    thread: BEGIN, its statements and COMMIT would otherwise each be a thread hop. Inside a
    transaction of Tortoise's (same connection, same lock), ``work`` runs in a savepoint."""
    client: Any = connections.get("default")
    async with client.acquire_connection() as connection:
        try:
            return await connection._execute(_in_transaction, connection._conn, work)  # type: ignore[no-any-return]
        except sqlite3.IntegrityError as error:
            raise IntegrityError(error) from error
        except sqlite3.OperationalError as error:
            raise OperationalError(error) from error


def _in_transaction(connection: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    nested = connection.in_transaction
    connection.execute("SAVEPOINT one_call" if nested else "BEGIN IMMEDIATE")
    try:
        result = work(connection)
    except BaseException:
        connection.execute("ROLLBACK TO one_call" if nested else "ROLLBACK")
        if nested:
            connection.execute("RELEASE one_call")
        raise
    connection.execute("RELEASE one_call" if nested else "COMMIT")
    return result


async def ping() -> None:
    """Raise when the database does not answer."""
    await connections.get("default").execute_query("SELECT 1")


async def make_migrations(settings: Settings) -> None:
    """Write a migration for model changes (for developers; see README)."""
    from tortoise.cli import cli

    await cli.makemigrations(cli.CLIContext(f"{__name__}.TORTOISE_ORM", None), (), False, None)


async def unmigrated_changes(settings: Settings) -> list[str]:
    """Names of the migrations that model changes would need (empty when all are written)."""
    from tortoise.migrations.autodetector import MigrationAutodetector

    config = tortoise_config(settings)
    async with TortoiseContext() as context:
        await context.init(config=config, init_connections=False)
        assert context.apps is not None
        writers = await MigrationAutodetector(context.apps, config["apps"]).changes()
    return [f"{writer.app_label}.{writer.name}" for writer in writers]


def __getattr__(name: str) -> Any:
    # ``TORTOISE_ORM`` for Tortoise's own CLI, built from the settings on demand.
    if name == "TORTOISE_ORM":
        from infra.settings import get_settings

        return tortoise_config(get_settings())
    raise AttributeError(name)

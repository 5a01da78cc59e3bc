"""Fixtures: real back ends on loopback and the real app under uvicorn.

``EROOM_TEST_BACKEND=sqlite`` (default) runs the app on a SQLite file with the in-memory bus;
``EROOM_TEST_BACKEND=postgres`` on a PostgreSQL server with Redis (bus, presence, limits).
`make test` runs the suite once each way.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tortoise import Tortoise

from infra.db import tortoise_config
from infra.settings import Settings
from tests.support.factories import Account, make_account
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer, PostgresServer, RedisServer, SmtpSink, run_migrations
from tests.support.servers import postgres_server as start_postgres
from tests.support.servers import redis_server as start_redis
from tests.support.sql import SqlCounter, counting_sql

BACKEND = os.environ.get("EROOM_TEST_BACKEND", "sqlite")
USES_POSTGRES = BACKEND == "postgres"

# Generous limits for the shared server; tests of a limit start a server with the real one.
RELAXED_LIMITS = {
    "LIMIT_SEND_MESSAGE": "100000/1",
    "LIMIT_CREATE_PROOF": "100000/1",
    "LIMIT_CREATE_CHALLENGE": "100000/1",
    "LIMIT_LOGIN_FAILURES": "100000/1",
    "LIMIT_EMAIL_CODE": "100000/1",
    "LIMIT_ANONYMOUS_PER_IP": "100000/1",
    "LIMIT_CHANGE_PASSWORD": "100000/1",
    "LIMIT_AVAILABILITY_PER_IP": "100000/1",
    "LIMIT_SET_TYPING": "100000/1",
    "LIMIT_SET_PRESENCE_STATUS": "100000/1",
    "LIMIT_REACT": "100000/1",
    "WS_MAX_CONNECTIONS_PER_MEMBER": "1000",
    "WS_MAX_ANONYMOUS_PER_IP": "1000",
}


def pytest_report_header() -> str:
    return f"eroom backend: {BACKEND}"


postgres_only = pytest.mark.skipif(not USES_POSTGRES, reason="needs EROOM_TEST_BACKEND=postgres")


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("eroom")


@pytest.fixture(scope="session")
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with start_postgres() as server:
        yield server


@pytest.fixture(scope="session")
def redis() -> Iterator[RedisServer]:
    """The session's shared redis-server (the app's, in the postgres backend)."""
    with start_redis() as server:
        yield server


@pytest.fixture(scope="session")
def database_url(tmp_root: Path, request: pytest.FixtureRequest) -> str:
    if USES_POSTGRES:
        server: PostgresServer = request.getfixturevalue("postgres")
        return server.create_database("eroom_test")
    return f"sqlite://{tmp_root / 'eroom.sqlite3'}"


@pytest.fixture(scope="session")
def jwt_secret() -> str:
    return secrets.token_urlsafe(48)


@pytest.fixture(scope="session")
def app_env(
    tmp_root: Path, database_url: str, jwt_secret: str, smtp: SmtpSink, request: pytest.FixtureRequest
) -> dict[str, str]:
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "JWT_SECRET": jwt_secret,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "MEDIA_DIR": str(tmp_root / "media"),
        "LOG_LEVEL": "WARNING",
        "CORS_ORIGINS": "http://localhost:3000",
        "PRESENCE_TTL": "3",
        # Explicit: Tortoise sets this process's os.environ["TIMEZONE"] to its own "UTC" when it
        # initialises, and the servers started here inherit this process's environment.
        "TIMEZONE": "Asia/Seoul",
        # No scheduler on the shared servers: its REMINDER and FINISHED notices would land in
        # other tests' notification lists. Its tests start servers with one.
        "SCHEDULER_INTERVAL": "0",
        **RELAXED_LIMITS,
    }
    if USES_POSTGRES:
        env["REDIS_URL"] = request.getfixturevalue("redis").url
    run_migrations(env)
    return env


@pytest.fixture(scope="session")
def settings(app_env: dict[str, str]) -> Settings:
    return Settings(**app_env)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def app(app_env: dict[str, str]) -> Iterator[AppServer]:
    """The session's shared app instance."""
    server = AppServer(env=app_env)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def start_app(app_env: dict[str, str]) -> Iterator[Callable[..., AppServer]]:
    """Start more app instances (same database), e.g. with real limits or a second node."""
    started: list[AppServer] = []

    def start(*, command: tuple[str, ...] = AppServer.command, **overrides: str) -> AppServer:
        server = AppServer(env={**app_env, **overrides}, command=command)
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session", autouse=True)
async def db(app_env: dict[str, str]) -> AsyncIterator[None]:
    """The test process's own ORM connection to the app's database, for setup and checks."""
    settings = Settings(**app_env)  # type: ignore[arg-type]
    await Tortoise.init(config=tortoise_config(settings), _enable_global_fallback=True)
    yield
    await Tortoise.close_connections()


@pytest.fixture
def new_account(settings: Settings) -> Callable[..., Awaitable[Account]]:
    async def create(**kwargs: Any) -> Account:
        return await make_account(settings, **kwargs)

    return create


@pytest.fixture
async def client(app: AppServer) -> AsyncIterator[GraphQLClient]:
    """An anonymous client of the shared app."""
    async with GraphQLClient(app.url) as graphql:
        yield graphql


@pytest.fixture
async def client_for(app: AppServer) -> AsyncIterator[Callable[[Account], GraphQLClient]]:
    """Clients authenticated as a given account (closed after the test)."""
    made: list[GraphQLClient] = []

    def make(account: Account) -> GraphQLClient:
        graphql = GraphQLClient(app.url, token=account.token)
        made.append(graphql)
        return graphql

    yield make
    for graphql in made:
        await graphql.aclose()


@pytest.fixture
def sql_counter() -> Iterator[SqlCounter]:
    """The SQL statements the test's own process sends while it runs (query-count tests)."""
    with counting_sql() as counter:
        yield counter

"""The servers a benchmark runs against: the database, Redis, our app and the bare baselines.

Reuses the test suite's real servers (``tests/support/servers.py``): nothing is mocked, all of it
listens on loopback only and is stopped when the benchmark run ends.
"""

from __future__ import annotations

import secrets
import shutil
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from tests.support.servers import (
    AppServer,
    PostgresServer,
    RedisServer,
    run_migrations,
)

# A shared machine under load may take long to import and migrate: wait, rather than fail the run.
STARTUP_SECONDS = 120.0

# Benchmarks measure the work, not the protection: every limit is out of the way.
BENCH_LIMITS = {
    "LIMIT_SEND_MESSAGE": "100000000/1",
    "LIMIT_CREATE_PROOF": "100000000/1",
    "LIMIT_CREATE_CHALLENGE": "100000000/1",
    "LIMIT_ANONYMOUS_PER_IP": "100000000/1",
    "WS_MAX_CONNECTIONS_PER_MEMBER": "100000",
    "WS_MAX_SUBSCRIPTIONS_PER_CONNECTION": "100",
    "MAX_QUERY_COST": "100000000",
}


@dataclass
class ServerProcess(AppServer):
    """A baseline ASGI app under uvicorn in a subprocess, with the same options as ``main.py serve``."""

    app: str = ""  # "module:factory"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def argv(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "uvicorn",
            self.app,
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--ws-max-size",
            str(64 * 1024),
        ]


class Stack:
    """One back end for a whole benchmark run: ``sqlite`` (SQLite + memory bus) or ``postgres``
    (PostgreSQL + Redis for the bus, presence and limits)."""

    def __init__(
        self, backend: str, app_env: dict[str, str] | None = None, *, client_deflate: bool = False
    ) -> None:
        self.backend = backend
        self.client_deflate = client_deflate  # WebSocket clients offer permessage-deflate
        self.app_env = app_env or {}  # settings of our app only (GC_THRESHOLD, ...), not the baselines'
        self.root = Path(tempfile.mkdtemp(prefix=f"eroom-bench-{backend}-"))
        self.jwt_secret = secrets.token_urlsafe(48)
        self.redis: RedisServer | None = None
        self.postgres: PostgresServer | None = None
        self._exit = ExitStack()
        self.env: dict[str, str] = {}

    @property
    def uses_redis(self) -> bool:
        return self.redis is not None

    def __enter__(self) -> Stack:
        if self.backend == "postgres":
            self.postgres = PostgresServer()
            self.postgres.start()
            self._exit.callback(self.postgres.stop, "immediate")
            self.redis = RedisServer()
            self.redis.start()
            self._exit.callback(self.redis.stop)
            database_url = self.postgres.create_database("eroom_bench")
        else:
            database_url = f"sqlite://{self.root / 'eroom.sqlite3'}"
        self.env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": self.redis.url if self.redis else "",
            "JWT_SECRET": self.jwt_secret,
            "MEDIA_DIR": str(self.root / "media"),
            "LOG_LEVEL": "WARNING",
            "SMTP_HOST": "",
            **BENCH_LIMITS,
        }
        run_migrations(self.env)
        return self

    def __exit__(self, *exc: object) -> None:
        self._exit.close()
        for server in (self.postgres, self.redis):
            if server is not None:
                shutil.rmtree(server.directory, ignore_errors=True)
        shutil.rmtree(self.root, ignore_errors=True)

    def start_app(self, **overrides: str) -> AppServer:
        server = AppServer(env={**self.env, **self.app_env, **overrides})
        server.start(timeout=STARTUP_SECONDS)
        self._exit.callback(server.stop)
        return server

    def start_baseline(self, app: str, **overrides: str) -> ServerProcess:
        server = ServerProcess(app=app, env={**self.env, **overrides})
        server.start(timeout=STARTUP_SECONDS)
        self._exit.callback(server.stop)
        return server

    def stop(self, server: AppServer | ServerProcess) -> None:
        server.stop()

"""The servers a benchmark runs against: the database, Redis, our app and the bare baselines.

Reuses the test suite's real servers (``tests/support/servers.py``): nothing is mocked, all of it
listens on loopback only and is stopped when the benchmark run ends.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.servers import (
    PROJECT,
    AppServer,
    PostgresServer,
    RedisServer,
    free_port,
    run_migrations,
)

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
class ServerProcess:
    """A baseline ASGI app under uvicorn in a subprocess, with the same options as ``main.py serve``."""

    app: str  # "module:factory"
    env: dict[str, str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, timeout: float = 30.0) -> None:
        handle, name = tempfile.mkstemp(prefix="eroom-bench-", suffix=".log")
        self.log_path = Path(name)
        command = [
            sys.executable, "-m", "uvicorn", self.app, "--factory",
            "--host", "127.0.0.1", "--port", str(self.port),
            "--log-level", "warning", "--no-access-log", "--ws-max-size", str(64 * 1024),
        ]
        self.process = subprocess.Popen(
            command, cwd=PROJECT, env={**os.environ, **self.env}, stdout=handle, stderr=subprocess.STDOUT
        )
        os.close(handle)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.app} exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"{self.app} did not start:\n{self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-20000:] if self.log_path else ""


def app_pid(server: AppServer) -> int:
    assert server.process is not None
    return server.process.pid


class Stack:
    """One back end for a whole benchmark run: ``sqlite`` (SQLite + memory bus) or ``postgres``
    (PostgreSQL + Redis for the bus, presence and limits)."""

    def __init__(self, backend: str) -> None:
        self.backend = backend
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
        server = AppServer(env={**self.env, **overrides})
        server.start()
        self._exit.callback(server.stop)
        return server

    def start_baseline(self, app: str, **overrides: str) -> ServerProcess:
        server = ServerProcess(app=app, env={**self.env, **overrides})
        server.start()
        self._exit.callback(server.stop)
        return server

    def stop(self, server: AppServer | ServerProcess) -> None:
        server.stop()

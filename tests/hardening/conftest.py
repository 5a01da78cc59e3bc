"""Fixtures of the hardening tests: app instances started with their own settings."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.servers import PROJECT, AppServer


@dataclass
class TickingAppServer(AppServer):
    """The real app with the test-only ``ticks``/``nodes`` subscriptions."""

    def start(self, timeout: float = 30.0) -> None:
        env = {**os.environ, **self.env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - the child process writes it
            prefix="eroom-ticking-", suffix=".log", delete=False
        )
        self.log_path = Path(log_file.name)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.hardening.ticking_app"],
            cwd=PROJECT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"app exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"app did not start:\n{self.log()}")


@pytest.fixture
def start_ticking_app(app_env: dict[str, str]) -> Iterator[Callable[..., TickingAppServer]]:
    started: list[TickingAppServer] = []

    def start(**overrides: str) -> TickingAppServer:
        server = TickingAppServer(env={**app_env, **overrides})
        server.start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def ticking_app(app_env: dict[str, str]) -> Iterator[TickingAppServer]:
    server = TickingAppServer(env=app_env)
    server.start()
    yield server
    server.stop()

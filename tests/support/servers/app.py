"""``python main.py`` in a subprocess: the real uvicorn serving the real app."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.servers.ports import PROJECT, free_port


@dataclass
class AppServer:
    """``python main.py`` in a subprocess: the real uvicorn serving the real app."""

    env: dict[str, str]
    # What to run: the real CLI by default; tests may run another module configured the same way.
    command: tuple[str, ...] = ("main.py", "serve")
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def graphql_url(self) -> str:
        return f"{self.url}/graphql"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def argv(self) -> list[str]:
        return [sys.executable, *self.command]

    def start(self, timeout: float = 60.0) -> None:
        env = {**os.environ, **self.env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        descriptor, name = tempfile.mkstemp(prefix="eroom-app-", suffix=".log")
        self.log_path = Path(name)
        with os.fdopen(descriptor, "wb") as log_file:
            self.process = subprocess.Popen(
                self.argv(),
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
        self.stop(signal.SIGKILL)  # never left running behind a failed test
        raise TimeoutError(f"app did not start in {timeout:.0f} s:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        code = self.process.returncode
        self.process = None
        return code

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-20000:] if self.log_path else ""


def run_migrations(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "main.py", "migrate"],
        cwd=PROJECT,
        env={**os.environ, **env},
        check=True,
        stdout=subprocess.DEVNULL,
    )

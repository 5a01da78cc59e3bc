"""One app instance of the native cluster: ``python main.py serve`` on a loopback port."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from deploy.cluster.services import free_port, stop_process

PROJECT = Path(__file__).resolve().parents[2]
SHARED_ENV = PROJECT / "deploy" / "eroom.env"


def shared_env(path: Path = SHARED_ENV) -> dict[str, str]:
    """``KEY=VALUE`` lines of deploy/eroom.env: what compose's ``env_file`` gives every replica."""
    found: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            found[key.strip()] = value.strip()
    return found


def status(url: str, timeout: float = 2.0) -> int:
    """The HTTP status of a GET, 0 when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except (OSError, urllib.error.URLError):
        return 0


@dataclass
class Instance:
    index: int
    env: dict[str, str]
    logs: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    started: int = 0  # how many times this slot was started

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid if self.process is not None else 0

    @property
    def log_path(self) -> Path:
        return self.logs / f"app-{self.index}.log"

    def start(self, timeout: float = 60.0) -> None:
        """Start and wait until ``/ready`` answers 200."""
        self.logs.mkdir(parents=True, exist_ok=True)
        env = {**self.env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "main.py", "serve"], cwd=PROJECT, env=env, stdout=log, stderr=log
            )
        self.started += 1
        deadline = time.monotonic() + timeout
        while status(f"{self.url}/ready") != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"instance {self.index} did not start, see {self.log_path}")
            time.sleep(0.1)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 30.0) -> int | None:
        """SIGTERM (the instance drains, see web/drain.py) and wait for it to exit."""
        if self.process is None:
            return None
        code = stop_process(self.process, timeout=timeout)
        self.process = None
        return code

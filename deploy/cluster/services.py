"""The servers of the native cluster: PostgreSQL 15, redis-server and nginx, each a child process
on loopback with its files under the cluster's directory."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

DEPLOY = Path(__file__).resolve().parents[1]
NGINX_CONFIG = DEPLOY / "nginx"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# Every instance in the upstream list, the same as deploy/nginx/compose.conf: one refused
# connection takes an instance out for 2 s, then nginx tries it again.
UPSTREAM_SERVER_PARAMETERS = "max_fails=1 fail_timeout=2s"
UPSTREAM_FAIL_TIMEOUT = 2.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f}s")


def stop_process(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def _as_postgres(command: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@dataclass
class Postgres:
    directory: Path
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.directory / "data"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        if not self.data.exists():
            initdb = [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust"]
            subprocess.run(_as_postgres([*initdb, "-E", "UTF8"]), check=True, stdout=subprocess.DEVNULL)
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c max_connections=200"
        start = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-l", str(self.directory / "log")]
        subprocess.run(_as_postgres([*start, "-o", options, "start"]), check=True, stdout=subprocess.DEVNULL)

    def create_database(self, name: str) -> str:
        """The database's URL, created if it is not there yet."""
        psql = [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-tAc"]
        exists = subprocess.run(
            _as_postgres([*psql, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"]),
            check=True,
            capture_output=True,
            text=True,
        )
        if exists.stdout.strip() != "1":
            createdb = [str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
            subprocess.run(_as_postgres([*createdb, name]), check=True)
        return self.url(name)

    def stop(self) -> None:
        stop = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]
        subprocess.run(_as_postgres(stop), check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@dataclass
class Redis:
    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        command = [shutil.which("redis-server") or "/usr/bin/redis-server", "--port", str(self.port)]
        command += ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None


def nginx_config(directory: Path, port: int, upstreams: list[int]) -> str:
    """The cluster's nginx.conf: its own pid, logs and temporary files under ``directory``, the
    instances as the upstream list, everything else from deploy/nginx/ (as compose uses it)."""
    servers = "\n".join(f"        server 127.0.0.1:{p} {UPSTREAM_SERVER_PARAMETERS};" for p in upstreams)
    temp = "\n".join(
        f"    {kind}_temp_path {directory / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""# Generated by python -m deploy.cluster; the shared parts are in {NGINX_CONFIG}.
daemon off;
worker_processes 1;
# Open WebSockets would hold a graceful stop forever.
worker_shutdown_timeout 10s;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} warn;

events {{
    worker_connections 8192;
}}

http {{
    access_log off;
{temp}
    include {NGINX_CONFIG / "http.conf"};

    upstream eroom {{
{servers}
        include {NGINX_CONFIG / "upstream.conf"};
    }}

    server {{
        listen 127.0.0.1:{port};
        include {NGINX_CONFIG / "proxy.conf"};
    }}
}}
"""


@dataclass
class Nginx:
    directory: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def config(self) -> Path:
        return self.directory / "nginx.conf"

    def write_config(self, upstreams: list[int]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.config.write_text(nginx_config(self.directory, self.port, upstreams))

    def check(self) -> subprocess.CompletedProcess[str]:
        """``nginx -t`` on the written configuration."""
        command = [NGINX, "-t", "-q", *self._paths()]
        return subprocess.run(command, capture_output=True, text=True, check=False)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [NGINX, *self._paths()], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_for_port(self.port)

    def _paths(self) -> list[str]:
        error_log = str(self.directory / "error.log")  # also before the configuration is read
        return ["-p", str(self.directory), "-c", str(self.config), "-e", error_log]

    @property
    def pids(self) -> list[int]:
        """The master and its workers (for CPU accounting)."""
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        found = children.read_text().split() if children.exists() else []
        return [self.process.pid, *(int(pid) for pid in found)]

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, signal.SIGQUIT)  # graceful: lets running requests finish
            self.process = None

"""The compose topology on one machine: nginx in front of N instances on PostgreSQL + Redis.

PostgreSQL and Redis are started here unless URLs are given (the tests and benchmarks pass their
own). Migrations run once, before any instance starts, as compose's one-shot ``migrate`` does.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from deploy.cluster.instances import PROJECT, Instance, shared_env
from deploy.cluster.services import UPSTREAM_FAIL_TIMEOUT, Nginx, Postgres, Redis, free_port

DEFAULT_ROOT = PROJECT / "var" / "cluster"


@dataclass
class Cluster:
    instances: int = 2
    port: int = field(default_factory=free_port)
    root: Path = DEFAULT_ROOT
    database_url: str = ""
    redis_url: str = ""
    env: dict[str, str] = field(default_factory=dict)  # over deploy/eroom.env and os.environ
    members: list[Instance] = field(default_factory=list)
    restarts: int = 0

    def __post_init__(self) -> None:
        self.nginx = Nginx(self.root / "nginx", self.port)
        self._exit = ExitStack()

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
    def state_file(self) -> Path:
        return self.root / "cluster.json"

    def start(self) -> Cluster:
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            app_env = self._backends()
            self._migrate(app_env)
            for index in range(self.instances):
                self.members.append(Instance(index + 1, app_env, self.root / "logs"))
            for instance in self.members:
                instance.start()
            self._exit.callback(self._stop_instances)
            self.nginx.write_config([instance.port for instance in self.members])
            self.nginx.start()
            self._exit.callback(self.nginx.stop)
        except BaseException:
            self.stop()
            raise
        self.write_state()
        return self

    def _backends(self) -> dict[str, str]:
        if not self.database_url:
            postgres = Postgres(self.root / "postgres")
            postgres.start()
            self._exit.callback(postgres.stop)
            self.database_url = postgres.create_database("eroom")
        if not self.redis_url:
            redis = Redis(self.root / "redis")
            redis.start()
            self._exit.callback(redis.stop)
            self.redis_url = redis.url
        return {
            **shared_env(),
            **os.environ,
            "JWT_SECRET": self._secret(),
            "MEDIA_DIR": str(self.root / "media"),
            **self.env,
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
        }

    def _secret(self) -> str:
        """One signing key for every instance, kept across runs (tokens outlive a restart)."""
        path = self.root / "jwt-secret"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()

    def _migrate(self, env: dict[str, str]) -> None:
        command = [sys.executable, "main.py", "migrate"]
        subprocess.run(command, cwd=PROJECT, env=env, check=True, stdout=subprocess.DEVNULL)

    def rolling_restart(self) -> None:
        """Drain and restart the instances one at a time; the next waits until nginx has taken the
        restarted one back (its fail_timeout), so one instance always serves."""
        for instance in self.members:
            instance.stop()
            instance.start()
            time.sleep(UPSTREAM_FAIL_TIMEOUT + 0.5)
        self.restarts += 1
        self.write_state()

    def revive(self) -> list[int]:
        """Start again the instances that died without being asked to; their indexes."""
        revived = []
        for instance in self.members:
            if instance.process is not None and not instance.alive():
                instance.start()
                revived.append(instance.index)
        if revived:
            self.write_state()
        return revived

    def write_state(self) -> None:
        instances = [
            {"index": i.index, "port": i.port, "pid": i.pid, "log": str(i.log_path)} for i in self.members
        ]
        state = {"pid": os.getpid(), "url": self.url, "restarts": self.restarts, "instances": instances}
        self.state_file.write_text(json.dumps(state, indent=2))

    def _stop_instances(self) -> None:
        for instance in self.members:
            instance.stop()

    def stop(self) -> None:
        self._exit.close()
        self.state_file.unlink(missing_ok=True)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

"""Fixtures of the deployment tests: the native cluster on the session's PostgreSQL and Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from deploy.cluster import Cluster

# Short drains so that restarts take seconds, not the production default's.
QUICK_DRAIN = {"DRAIN_SECONDS": "2", "SHUTDOWN_TIMEOUT": "5", "LOG_LEVEL": "WARNING"}


@pytest.fixture
def cluster(app_env: dict[str, str], tmp_path: Path) -> Iterator[Cluster]:
    """nginx in front of 2 instances, on the suite's database and Redis (postgres backend)."""
    with Cluster(
        instances=2,
        root=tmp_path / "cluster",
        database_url=app_env["DATABASE_URL"],
        redis_url=app_env["REDIS_URL"],
        env={**app_env, **QUICK_DRAIN},
    ) as running:
        yield running

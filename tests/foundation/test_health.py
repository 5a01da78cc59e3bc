"""/health and /ready against the real app."""

from __future__ import annotations

import tomllib
from collections.abc import Callable

import httpx

from tests.support.servers import PROJECT, AppServer, RedisServer

VERSION = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]["version"]


async def test_health_reports_version(app: AppServer) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.get(f"{app.url}/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": VERSION}


async def test_ready_when_database_answers(app: AppServer) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.get(f"{app.url}/ready")

    assert response.status_code == 200
    assert response.json()["status"] == "ready"


def test_ready_follows_redis_down_and_back(start_app: Callable[..., AppServer]) -> None:
    # given an instance configured with its own redis-server
    redis = RedisServer()
    redis.start()
    try:
        node = start_app(REDIS_URL=redis.url)
        assert httpx.get(f"{node.url}/ready").status_code == 200

        # when redis stops
        redis.stop()
        down = httpx.get(f"{node.url}/ready", timeout=10)

        # then the instance says why it is not ready
        assert down.status_code == 503
        assert down.json()["status"] == "unavailable"
        assert "redis" in down.json()["problems"]

        # and it is ready again once redis is back
        redis.start()
        assert httpx.get(f"{node.url}/ready", timeout=10).status_code == 200
    finally:
        redis.stop()

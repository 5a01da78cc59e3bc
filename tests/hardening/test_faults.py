"""Outages of PostgreSQL and Redis with the real servers stopped and started, and SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Callable

import httpx

from tests.hardening.conftest import TICKING_APP
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer, RedisServer, postgres_server, run_migrations
from tests.support.ws import GraphQLWebSocket

MEMBER = 'query Member { member(id: "1") { id } }'
TICKS = "subscription { ticks(interval: 0.05) }"


async def _until(check: Callable[[], bool], within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await asyncio.to_thread(check):
            return
        await asyncio.sleep(0.25)
    raise AssertionError("did not recover in time")


async def test_postgres_outage_is_a_clean_error_and_recovers(
    start_app: Callable[..., AppServer], app_env: dict[str, str]
) -> None:
    with postgres_server() as postgres:
        url = postgres.create_database("outage")
        run_migrations({**app_env, "DATABASE_URL": url})
        node = start_app(DATABASE_URL=url, REDIS_URL="")
        async with GraphQLClient(node.url) as client:
            assert (await client.execute(MEMBER)).ok() == {"member": None}

            postgres.stop()
            down = await client.execute(MEMBER)
            ready = await client.http.get(f"{node.url}/ready")

            assert down.status == 200
            assert down.code == "INTERNAL_SERVER_ERROR"
            assert down.error["message"] == "Internal server error."
            assert down.data == {"member": None} or down.data == {}
            assert "postgres" not in str(down.body).lower() and "connect" not in str(down.body).lower()
            assert ready.status_code == 503
            assert "database" in ready.json()["problems"]

            postgres.start()
            await _until(lambda: httpx.get(f"{node.url}/ready", timeout=10).status_code == 200)
            assert (await client.execute(MEMBER)).ok() == {"member": None}


async def test_api_keeps_serving_while_redis_is_down(
    start_app: Callable[..., AppServer], new_account: Callable
) -> None:
    redis = RedisServer()
    redis.start()
    try:
        node = start_app(REDIS_URL=redis.url)
        account: Account = await new_account()
        async with GraphQLClient(node.url, token=account.token) as client:
            redis.stop()

            me = await client.execute("{ me { id } }")
            async with await GraphQLWebSocket.connect(node.ws_url, token=account.token) as ws:
                op = await ws.subscribe("{ me { id } }")
                over_ws = await ws.next_data(op)
            metrics = await client.http.get(f"{node.url}/metrics")

            assert me.ok() == {"me": {"id": str(account.member.id)}}
            assert over_ws == {"me": {"id": str(account.member.id)}}
            assert metrics.status_code == 200

            redis.start()
            await _until(lambda: httpx.get(f"{node.url}/ready", timeout=10).status_code == 200)
            assert (await client.execute("{ me { id } }")).ok()["me"]["id"] == str(account.member.id)
    finally:
        redis.stop()


async def test_sigterm_shuts_down_within_10s_with_open_subscriptions(
    start_app: Callable[..., AppServer],
) -> None:
    node = start_app(command=TICKING_APP)
    sockets = [await GraphQLWebSocket.connect(node.ws_url) for _ in range(3)]
    for ws in sockets:
        op = await ws.subscribe(TICKS)
        await ws.next_data(op)
    assert node.process is not None
    process = node.process

    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code = await asyncio.to_thread(process.wait, 15)
    elapsed = time.monotonic() - started

    # uvicorn re-raises the signal it handled once shutdown is complete
    assert code in (0, -signal.SIGTERM)
    assert elapsed < 10, elapsed
    for ws in sockets:
        close_code, _ = await asyncio.wait_for(ws.wait_closed(), 5)
        assert close_code in (1001, 1012), close_code  # going away / service restart
    assert "Traceback" not in node.log()

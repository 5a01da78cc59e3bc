"""Engine fixtures: a redis-server of the engine tests' own, since they stop and restart it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from subscriptions.bus import Bus
from tests.support.servers import RedisServer, redis_server


@pytest.fixture(scope="module")
def own_redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture
async def redis_bus(own_redis: RedisServer) -> AsyncIterator[Bus]:
    if own_redis.process is None:  # a test that stopped it failed before restarting
        own_redis.start()
    bus = Bus(own_redis.url)
    await bus.connect()
    yield bus
    await bus.disconnect()


@pytest.fixture(scope="module")
async def fanout_server() -> AsyncIterator[str]:
    """The test-only fan-out app under a real uvicorn, on this test loop; yields its ws URL."""
    import asyncio

    import uvicorn

    from tests.engine.fanout_app import app
    from tests.support.servers import free_port

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.02)
    yield f"ws://127.0.0.1:{port}/graphql"
    server.should_exit = True
    await task

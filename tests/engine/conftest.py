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

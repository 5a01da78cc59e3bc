"""The shared Limiter against a real redis-server: one count across instances, in-process
fallback while Redis is down, back to Redis when it returns. (Each domain tests the limits of
its own mutations over HTTP.)"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from infra.errors import RateLimited
from infra.limits import KEY_PREFIX, Limiter
from infra.settings import RateLimit
from tests.support.servers import RedisServer

LIMIT = RateLimit(3, 60)


@pytest.fixture
async def own_redis() -> AsyncIterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


async def test_count_is_shared_between_instances(own_redis: RedisServer) -> None:
    one, two = Limiter(Redis.from_url(own_redis.url)), Limiter(Redis.from_url(own_redis.url))

    await one.hit("member:1", LIMIT)
    await two.hit("member:1", LIMIT)
    await one.hit("member:1", LIMIT)
    with pytest.raises(RateLimited) as refused:
        await two.hit("member:1", LIMIT)

    assert refused.value.extensions["code"] == "RATE_LIMITED"
    assert 1 <= refused.value.retry_after <= 60
    assert (one.hits_refused, two.hits_refused) == (0, 1)
    assert int(await Redis.from_url(own_redis.url).get(KEY_PREFIX + "member:1")) == 4


async def test_separate_keys_are_counted_separately(own_redis: RedisServer) -> None:
    limiter = Limiter(Redis.from_url(own_redis.url))

    for _ in range(3):
        await limiter.hit("ip:1", LIMIT)
    await limiter.hit("ip:2", LIMIT)

    with pytest.raises(RateLimited):
        await limiter.hit("ip:1", LIMIT)


async def test_falls_back_to_process_while_redis_is_down_and_recovers(own_redis: RedisServer) -> None:
    limiter = Limiter(Redis.from_url(own_redis.url))
    own_redis.stop()

    # limits still hold, counted in this process
    for _ in range(3):
        await limiter.hit("member:2", LIMIT)
    with pytest.raises(RateLimited):
        await limiter.hit("member:2", LIMIT)

    own_redis.start()
    await limiter.hit("member:3", LIMIT)
    assert int(await Redis.from_url(own_redis.url).get(KEY_PREFIX + "member:3")) == 1


async def test_check_counts_nothing(own_redis: RedisServer) -> None:
    limiter = Limiter(Redis.from_url(own_redis.url))

    for _ in range(5):
        await limiter.check("login:a", LIMIT)
    for _ in range(3):
        await limiter.hit("login:a", LIMIT)

    with pytest.raises(RateLimited):
        await limiter.check("login:a", LIMIT)

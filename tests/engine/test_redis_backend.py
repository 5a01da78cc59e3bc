"""The Redis backend's own guarantees on a real redis-server, with short timeouts: pings notice a
hung server, an unconfirmed SUBSCRIBE gives up in time, unsubscribe-then-subscribe does not
cross, and disconnect leaves nothing behind."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager

from redis.asyncio import Redis

from subscriptions.bus import Bus
from subscriptions.redis_backend import ReconnectingRedisBackend
from tests.engine.listening import MARKER, fresh_channel, next_event, numsub, subscribe
from tests.support.servers import RedisServer


@asynccontextmanager
async def backend_bus(url: str, **options: float) -> AsyncIterator[Bus]:
    bus = Bus(url, ReconnectingRedisBackend(url, **options))
    await bus.connect()
    try:
        yield bus
    finally:
        await bus.disconnect()


@contextmanager
def hung(process: subprocess.Popen[bytes] | None) -> Iterator[subprocess.Popen[bytes]]:
    """redis-server stopped (SIGSTOP): its sockets stay open, nothing answers."""
    assert process is not None
    process.send_signal(signal.SIGSTOP)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGCONT)


async def client_count(redis_url: str) -> int:
    """Connections to Redis besides the one asking."""
    client = Redis.from_url(redis_url)
    try:
        return len(await client.client_list()) - 1
    finally:
        await client.aclose()


async def test_hung_redis_is_noticed_by_pings_and_the_subscriber_catches_up(own_redis: RedisServer) -> None:
    # given: a bus pinging every 0.2 s, with a subscriber
    channel = fresh_channel()
    async with backend_bus(own_redis.url, health_interval=0.2) as bus, subscribe(bus, channel) as events:
        # when: redis-server hangs for longer than three ping intervals, then resumes
        with hung(own_redis.process):
            await asyncio.sleep(1.5)
        # then: the silent connection was replaced, and the subscriber is told to catch up
        assert await next_event(events, 10) == MARKER
        assert bus.reconnects == 1
        # and: live events flow again
        await bus.publish(channel, {"kind": "message", "seq": 1})
        assert await next_event(events) == {"kind": "message", "seq": 1}


async def test_subscribe_unconfirmed_in_time_returns_and_catches_up_once_confirmed(
    own_redis: RedisServer,
) -> None:
    # given: a bus waiting 0.3 s for a subscription's confirmation, and redis-server hung
    channel = fresh_channel()
    loop = asyncio.get_running_loop()
    async with backend_bus(own_redis.url, subscribe_timeout=0.3) as bus, AsyncExitStack() as stack:
        with hung(own_redis.process):
            # when: subscribing
            started = loop.time()
            events = await stack.enter_async_context(subscribe(bus, channel))
            # then: subscribe returned after its timeout, without Redis
            assert 0.3 <= loop.time() - started < 2
        # and: once Redis confirms (it resumed), the subscriber is told to catch up
        assert await next_event(events, 10) == MARKER
        await bus.publish(channel, {"kind": "message", "seq": 1})
        assert await next_event(events) == {"kind": "message", "seq": 1}
        assert bus.reconnects == 0


async def test_unsubscribe_then_subscribe_at_once_keeps_the_channel_subscribed(
    redis_bus: Bus, own_redis: RedisServer
) -> None:
    # given: one subscriber of a channel
    channel = fresh_channel()
    leaving = AsyncExitStack()
    await leaving.enter_async_context(subscribe(redis_bus, channel))
    async with AsyncExitStack() as stack:
        # when: it leaves (the bus unsubscribes) as a new subscriber arrives (the bus subscribes)
        _, events = await asyncio.gather(
            leaving.aclose(), stack.enter_async_context(subscribe(redis_bus, channel))
        )
        # then: Redis has the channel subscribed once, and events reach the new subscriber
        assert await numsub(own_redis.url, channel) == 1
        await redis_bus.publish(channel, {"kind": "message", "seq": 1})
        assert await next_event(events) == {"kind": "message", "seq": 1}
        # and: a Redis restart resubscribes it
        await asyncio.to_thread(own_redis.restart, 0.3)
        assert await next_event(events, 15) == MARKER
        await redis_bus.publish(channel, {"kind": "message", "seq": 2})
        assert await next_event(events) == {"kind": "message", "seq": 2}


async def test_disconnect_leaves_no_connection_or_task_behind(own_redis: RedisServer) -> None:
    # given: a bus that subscribed and published (both of its connections are open)
    clients, tasks = await client_count(own_redis.url), asyncio.all_tasks()
    channel = fresh_channel()
    bus = Bus(own_redis.url)
    await bus.connect()
    async with subscribe(bus, channel) as events:
        await bus.publish(channel, {"kind": "message", "seq": 1})
        assert await next_event(events) == {"kind": "message", "seq": 1}
    assert await client_count(own_redis.url) == clients + 2
    # when: it disconnects
    await bus.disconnect()
    # then: Redis sees none of its connections, and none of its tasks runs
    for _ in range(50):
        if await client_count(own_redis.url) == clients:
            break
        await asyncio.sleep(0.02)
    assert await client_count(own_redis.url) == clients
    assert asyncio.all_tasks() == tasks


async def test_listener_cancelled_before_its_subscribe_is_confirmed_leaves_redis_unsubscribed(
    own_redis: RedisServer,
) -> None:
    # given: a SUBSCRIBE sent while redis-server hangs, so it is not confirmed yet
    channel = fresh_channel()
    async with backend_bus(own_redis.url, subscribe_timeout=10) as bus:

        async def listen_forever() -> None:
            async with subscribe(bus, channel):
                await asyncio.Event().wait()

        with hung(own_redis.process):
            waiting = asyncio.create_task(listen_forever())
            await asyncio.sleep(0.3)
            # when: the listener goes away before the confirmation
            waiting.cancel()
            await asyncio.gather(waiting, return_exceptions=True)
        # then: once Redis answers again, nothing stays subscribed to the channel
        for _ in range(100):
            if await numsub(own_redis.url, channel) == 0:
                break
            await asyncio.sleep(0.05)
        assert await numsub(own_redis.url, channel) == 0
        assert bus.channels == 0

"""The bus on a real redis-server: readiness, sharing, restarts, and the memory:// variant."""

from __future__ import annotations

import asyncio
import signal
from contextlib import AsyncExitStack

from subscriptions.bus import Bus
from tests.engine.listening import MARKER, Event, fresh_channel, next_event, numsub, subscribe
from tests.support.servers import RedisServer


async def test_publish_after_subscribe_is_never_dropped_across_50_new_channels(redis_bus: Bus) -> None:
    # given: a separate publishing process-equivalent (its own bus and connection)
    publisher = Bus(redis_bus.url)
    await publisher.connect()
    try:
        for attempt in range(50):
            channel = fresh_channel()
            # when: publishing right after subscribe() returned
            async with subscribe(redis_bus, channel) as events:
                await publisher.publish(channel, {"kind": "message", "seq": attempt})
                # then: the very first message arrives
                assert await next_event(events, 2) == {"kind": "message", "seq": attempt}
    finally:
        await publisher.disconnect()
    assert redis_bus.channels == 0


async def test_subscribe_many_local_subscribers_shares_one_redis_subscription(
    redis_bus: Bus, own_redis: RedisServer
) -> None:
    # given: 25 local subscribers of one channel, subscribing concurrently
    channel = fresh_channel()
    async with AsyncExitStack() as stack:
        streams = await asyncio.gather(
            *(stack.enter_async_context(subscribe(redis_bus, channel)) for _ in range(25))
        )
        # then: Redis sees one subscription for the channel
        assert await numsub(own_redis.url, channel) == 1
        assert redis_bus.subscriber_count(channel) == 25
        # when: one event is published
        await redis_bus.publish(channel, {"kind": "message", "seq": 1})
        received = await asyncio.gather(*(next_event(events) for events in streams))
        # then: everyone gets it, as the very same decoded object
        assert all(event == {"kind": "message", "seq": 1} for event in received)
        assert len({id(event) for event in received}) == 1
        assert redis_bus.delivered >= 25
    # and: the last subscriber leaving unsubscribes from Redis
    assert redis_bus.subscriber_count(channel) == 0
    for _ in range(50):
        if await numsub(own_redis.url, channel) == 0:
            break
        await asyncio.sleep(0.02)
    assert await numsub(own_redis.url, channel) == 0


async def test_publish_while_redis_is_down_returns_without_raising(
    redis_bus: Bus, own_redis: RedisServer
) -> None:
    # given: Redis is down
    failures = redis_bus.publish_failures
    own_redis.stop()
    try:
        # when: publishing
        await asyncio.wait_for(redis_bus.publish(fresh_channel(), {"kind": "message", "seq": 1}), 5)
        # then: it returned, and the failure is counted
        assert redis_bus.publish_failures == failures + 1
    finally:
        own_redis.start()


async def test_redis_restart_sends_the_marker_then_live_events_again(
    redis_bus: Bus, own_redis: RedisServer
) -> None:
    # given: two channels with local subscribers, and an event delivered before the outage
    first, second = fresh_channel(), fresh_channel()
    reconnects = redis_bus.reconnects
    async with (
        subscribe(redis_bus, first) as a1,
        subscribe(redis_bus, first) as a2,
        subscribe(redis_bus, second) as b1,
    ):
        await redis_bus.publish(first, {"kind": "message", "seq": 1})
        assert await next_event(a1) == await next_event(a2) == {"kind": "message", "seq": 1}

        # when: redis-server is stopped and started again
        await asyncio.to_thread(own_redis.restart, 0.3)

        # then: every local subscriber of every channel gets the marker
        marker = MARKER
        assert await next_event(a1, 15) == marker
        assert await next_event(a2) == marker
        assert await next_event(b1) == marker
        assert redis_bus.reconnects == reconnects + 1
        # and: live events flow again, on the resubscribed channels, once each
        await redis_bus.publish(first, {"kind": "message", "seq": 2})
        await redis_bus.publish(second, {"kind": "message", "seq": 3})
        assert await next_event(a1) == await next_event(a2) == {"kind": "message", "seq": 2}
        assert await next_event(b1) == {"kind": "message", "seq": 3}
        assert await numsub(own_redis.url, first) == 1
        assert a1 is not a2


async def test_subscribe_while_redis_is_down_gets_the_marker_once_it_is_back(
    redis_bus: Bus, own_redis: RedisServer
) -> None:
    # given: Redis is down when a subscriber arrives
    channel = fresh_channel()
    own_redis.stop()
    try:
        await asyncio.sleep(0.2)
        async with subscribe(redis_bus, channel) as events:
            # when: Redis comes back
            await asyncio.to_thread(own_redis.start)
            # then: the subscriber is told to catch up, then receives live events
            assert await next_event(events, 15) == MARKER
            await redis_bus.publish(channel, {"kind": "message", "seq": 1})
            assert await next_event(events) == {"kind": "message", "seq": 1}
    finally:
        if own_redis.process is None:
            own_redis.start()


async def test_subscribe_in_flight_when_the_connection_drops_returns_without_waiting_for_redis(
    redis_bus: Bus, own_redis: RedisServer
) -> None:
    # given: redis-server hangs, so a new channel's SUBSCRIBE goes unanswered
    channel = fresh_channel()
    process = own_redis.process
    assert process is not None
    process.send_signal(signal.SIGSTOP)
    entered = asyncio.Event()

    async def subscriber() -> list[Event]:
        async with subscribe(redis_bus, channel) as events:
            entered.set()
            marker = await next_event(events, 15)
            await redis_bus.publish(channel, {"kind": "message", "seq": 1})
            return [marker, await next_event(events)]

    waiting = asyncio.create_task(subscriber())
    try:
        await asyncio.sleep(0.3)
        assert not entered.is_set()
        # when: the connection drops (redis-server dies) with the SUBSCRIBE in flight
        process.kill()
        await asyncio.to_thread(process.wait)
        own_redis.process = None
        # then: subscribe() returns at once, not after its confirmation timeout
        await asyncio.wait_for(entered.wait(), 2)
        # and: once Redis is back the subscriber is told to catch up, then gets live events
        await asyncio.to_thread(own_redis.start)
        assert await waiting == [MARKER, {"kind": "message", "seq": 1}]
    finally:
        waiting.cancel()
        if own_redis.process is None:
            own_redis.start()


async def test_memory_bus_fans_out_the_same_event_to_every_subscriber() -> None:
    # given: the in-process bus with concurrent first subscribers of one channel
    bus = Bus("memory://")
    await bus.connect()
    channel = fresh_channel()
    try:
        async with AsyncExitStack() as stack:
            streams = await asyncio.gather(
                *(stack.enter_async_context(subscribe(bus, channel)) for _ in range(5))
            )
            # when: one event is published
            await bus.publish(channel, {"kind": "message", "seq": 7})
            received = await asyncio.gather(*(next_event(events) for events in streams))
        # then: all five got the one decoded object; nothing is left subscribed
        assert [event["seq"] for event in received] == [7] * 5
        assert len({id(event) for event in received}) == 1
        assert (bus.published, bus.delivered, bus.channels) == (1, 5, 0)
    finally:
        await bus.disconnect()

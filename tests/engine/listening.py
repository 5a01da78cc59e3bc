"""Helpers of the bus tests: one listener's events as an async iterator, fresh channel names."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis.asyncio import Redis

from events.codec import encode
from events.member import BUS_RECONNECTED
from subscriptions.bus import Bus

_channels = itertools.count()
Event = dict[str, Any]  # the bus's default decoding: the JSON value as published
MARKER = encode(BUS_RECONNECTED)


@asynccontextmanager
async def subscribe(bus: Bus, channel: str) -> AsyncIterator[AsyncIterator[Event]]:
    """One listener's events of one channel, as an async iterator."""
    queue: asyncio.Queue[Any] = asyncio.Queue()

    async def events() -> AsyncIterator[Event]:
        while True:
            yield await queue.get()

    async with bus.listen(queue, channel):
        yield events()


def fresh_channel() -> str:
    return f"room:test-{next(_channels)}"


async def next_event(events: AsyncIterator[Event], within: float = 5) -> Event:
    return await asyncio.wait_for(anext(events), within)


async def numsub(redis_url: str, channel: str) -> int:
    client = Redis.from_url(redis_url)
    try:
        [(_, count)] = await client.pubsub_numsub(channel)
        return int(count)
    finally:
        await client.aclose()

"""The event bus: JSON events fanned out to every process through a broadcaster backend.

``memory://`` uses broadcaster's in-process backend; ``redis://`` our
:class:`subscriptions.redis_backend.ReconnectingRedisBackend`. The local fan-out is ours
rather than ``broadcaster.Broadcast``'s, which loses a subscriber when two tasks subscribe
to a new channel at the same time. Per process there is one backend subscription per
channel, shared by every local subscriber, and each bus event is decoded once: every local
subscriber receives the SAME dict object (treat it as read-only), which is what lets the
subscription layer execute and serialise a live event once for many subscribers.

After a Redis reconnect every local subscriber of every channel receives
``{"kind": "bus_reconnected"}`` (:data:`BUS_RECONNECTED`): whatever was published while the
connection was down is gone from Redis, so consumers catch up from the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import Any
from urllib.parse import urlparse

import orjson
from broadcaster import BroadcastBackend
from broadcaster._backends.memory import MemoryBackend

from subscriptions.redis_backend import BUS_RECONNECTED, ReconnectingRedisBackend

log = logging.getLogger(__name__)

Event = dict[str, Any]

__all__ = ["BUS_RECONNECTED", "Bus", "Event"]


def create_backend(url: str) -> BroadcastBackend:
    scheme = urlparse(url).scheme
    if scheme in ("redis", "rediss"):
        return ReconnectingRedisBackend(url)
    if scheme == "memory":
        return MemoryBackend(url)
    raise ValueError(f"Unsupported bus URL scheme: {scheme!r}")


class Bus:
    """``publish(channel, dict)`` never raises; ``subscribe(channel)`` yields dicts.

    Counters for metrics: ``published``, ``publish_failures``, ``delivered`` (events put
    to local subscribers), ``reconnects`` (Redis connection re-established).
    """

    def __init__(self, url: str, backend: BroadcastBackend | None = None) -> None:
        self.url = url
        self._backend = backend or create_backend(url)
        self._subscribers: dict[str, set[asyncio.Queue[Event]]] = {}
        # Per-channel lock and how many subscribe() calls hold a reference to it.
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}
        self._listener: asyncio.Task[None] | None = None
        self.published = 0
        self.publish_failures = 0
        self.delivered = 0

    @property
    def reconnects(self) -> int:
        return self._backend.reconnects if isinstance(self._backend, ReconnectingRedisBackend) else 0

    @property
    def channels(self) -> int:
        """Channels with at least one local subscriber (= backend subscriptions)."""
        return len(self._subscribers)

    def subscriber_count(self, channel: str) -> int:
        return len(self._subscribers.get(channel, ()))

    async def connect(self) -> None:
        await self._backend.connect()
        self._listener = asyncio.create_task(self._listen(), name="bus-listener")

    async def disconnect(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with suppress(asyncio.CancelledError):
                await self._listener
        await self._backend.disconnect()

    async def publish(self, channel: str, event: Event) -> None:
        """Publish after commit; a failure is logged, never raised (the row is already stored)."""
        try:
            await self._backend.publish(channel, orjson.dumps(event).decode())
        except Exception as error:
            self.publish_failures += 1
            log.warning("bus publish failed: %s", error, extra={"channel": channel})
        else:
            self.published += 1

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[Event]]:
        """Events published after entering are delivered (the backend confirmed the
        subscription before this yields)."""
        queue: asyncio.Queue[Event] = asyncio.Queue()
        lock = self._acquire_lock(channel)
        try:
            async with lock:
                await self._join(channel, queue)
            try:
                yield self._events(queue)
            finally:
                # Dropped without awaiting first, so a second cancellation cannot leave a
                # dead queue registered; an empty set keeps the backend subscription
                # until the unsubscribe below runs.
                self._subscribers.get(channel, set()).discard(queue)
                async with lock:
                    await self._leave(channel, queue)
        finally:
            self._release_lock(channel)

    async def _join(self, channel: str, queue: asyncio.Queue[Event]) -> None:
        queues = self._subscribers.get(channel)
        first = queues is None
        if queues is None:
            queues = self._subscribers[channel] = set()
        # Registered before the backend subscribes, so nothing that arrives right after
        # the confirmation can slip past this subscriber.
        queues.add(queue)
        if first:
            try:
                await self._backend.subscribe(channel)
            except BaseException:
                await self._leave(channel, queue)
                raise

    async def _leave(self, channel: str, queue: asyncio.Queue[Event]) -> None:
        queues = self._subscribers.get(channel)
        if queues is None:
            return
        queues.discard(queue)
        if queues:
            return
        del self._subscribers[channel]
        try:
            await self._backend.unsubscribe(channel)
        except Exception as error:
            log.warning("bus unsubscribe failed: %s", error, extra={"channel": channel})

    def _acquire_lock(self, channel: str) -> asyncio.Lock:
        lock, users = self._locks.get(channel) or (asyncio.Lock(), 0)
        self._locks[channel] = (lock, users + 1)
        return lock

    def _release_lock(self, channel: str) -> None:
        lock, users = self._locks[channel]
        if users <= 1:
            del self._locks[channel]
        else:
            self._locks[channel] = (lock, users - 1)

    @staticmethod
    async def _events(queue: asyncio.Queue[Event]) -> AsyncIterator[Event]:
        while True:
            yield await queue.get()

    async def _listen(self) -> None:
        while True:
            message = await self._backend.next_published()
            queues = self._subscribers.get(message.channel)
            if not queues:
                continue
            try:
                event = orjson.loads(message.message)
            except orjson.JSONDecodeError:
                log.warning("bus dropped a malformed event", extra={"channel": message.channel})
                continue
            for queue in queues:
                queue.put_nowait(event)
            self.delivered += len(queues)

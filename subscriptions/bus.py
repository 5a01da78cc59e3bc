"""The event bus: events fanned out to every process through a broadcaster backend, and to
every local listener through one registry.

``memory://`` uses broadcaster's in-process backend; ``redis://`` our
:class:`subscriptions.redis_backend.ReconnectingRedisBackend`. Per process there is one backend
subscription per channel, however many local listeners it has, and each message is decoded
once: every listener receives the SAME object (treat it as read-only), which is what lets the
subscription layer execute and serialise a live event once for many subscribers.

After a Redis reconnect every listener of every channel receives the ``bus_reconnected``
marker: whatever was published while the connection was down is gone from Redis, so
consumers catch up from the database.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlparse

import orjson
from broadcaster import BroadcastBackend
from broadcaster._backends.memory import MemoryBackend
from pydantic import BaseModel

from subscriptions.inbox import Inboxes, QueueStats
from subscriptions.redis_backend import ReconnectingRedisBackend

log = logging.getLogger(__name__)

Decoder = Callable[[str], object | None]
# Seconds a publish may take (Redis answers in well under a millisecond when it is healthy).
PUBLISH_TIMEOUT = 0.5


class Listener(Protocol):
    """Where the bus puts a listener's events: an :class:`subscriptions.inbox.Inbox` (bounded,
    for streams) or any ``asyncio.Queue``. ``put_nowait`` must neither block nor raise."""

    def put_nowait(self, item: object, /) -> None: ...

    def empty(self) -> bool: ...

    def get_nowait(self) -> object: ...

    async def get(self) -> object: ...


class BusFailed:
    """Put to every listener of a channel when the bus's listener died for good."""


BUS_FAILED = BusFailed()


def create_backend(url: str) -> BroadcastBackend:
    scheme = urlparse(url).scheme
    if scheme in ("redis", "rediss"):
        return ReconnectingRedisBackend(url)
    if scheme == "memory":
        return MemoryBackend(url)
    raise ValueError(f"Unsupported bus URL scheme: {scheme!r}")


@dataclass
class _Channel:
    listeners: set[Listener] = field(default_factory=set)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    subscribed: bool = False


class Bus:
    """``publish(channel, event)`` never raises; ``listen(queue, *channels)`` delivers.

    ``decode`` turns a message into what listeners receive (None skips it): the raw JSON value
    by default, typed events when the app wires :func:`events.codec.loads`.

    Counters for metrics: ``published``, ``publish_failures``, ``delivered`` (events put to
    local listeners), ``reconnects`` (Redis connection re-established).
    """

    def __init__(self, url: str, backend: BroadcastBackend | None = None, *, decode: Decoder = orjson.loads):
        self.url = url
        self._backend = backend or create_backend(url)
        self._reconnected = (
            self._backend.reconnected
            if isinstance(self._backend, ReconnectingRedisBackend)
            else asyncio.Event()
        )
        self._decode = decode
        self._channels: dict[str, _Channel] = {}
        self._listener: asyncio.Task[None] | None = None
        self.published = 0
        self.publish_failures = 0
        self.delivered = 0
        # Subscription generators count themselves here; a test proves it returns to zero.
        self.live_subscriptions = 0
        # Their inboxes (re-checked against the database by subscriptions.watch), and what
        # those went through (peak depth, overflows, drops, too slow).
        self.inboxes = Inboxes()
        self.queues = QueueStats()

    @property
    def reconnected(self) -> asyncio.Event:
        """Set each time the bus reconnects to its broker (whoever waits on it clears it)."""
        return self._reconnected

    @property
    def reconnects(self) -> int:
        return self._backend.reconnects if isinstance(self._backend, ReconnectingRedisBackend) else 0

    @property
    def channels(self) -> int:
        """Channels with at least one local listener (= backend subscriptions)."""
        return len(self._channels)

    def subscriber_count(self, channel: str) -> int:
        found = self._channels.get(channel)
        return len(found.listeners) if found else 0

    async def connect(self) -> None:
        await self._backend.connect()
        self._listener = asyncio.create_task(self._listen(), name="bus-listener")

    async def disconnect(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with suppress(asyncio.CancelledError):
                await self._listener
        await self._backend.disconnect()

    async def publish(self, channel: str, event: BaseModel | Mapping[str, object]) -> None:
        """Publish after commit; a failure is logged, never raised (the row is already stored).

        Waits at most ``PUBLISH_TIMEOUT``: a request must not hang on a frozen broker, and what
        a lost publish announced is recovered from the database (subscriptions.watch)."""
        message = event.model_dump_json() if isinstance(event, BaseModel) else orjson.dumps(event).decode()
        try:
            async with asyncio.timeout(PUBLISH_TIMEOUT):
                await self._backend.publish(channel, message)
        except Exception as error:
            self.publish_failures += 1
            log.warning("bus publish failed: %r", error, extra={"channel": channel})
        else:
            self.published += 1

    @asynccontextmanager
    async def listen(self, queue: Listener, *channels: str) -> AsyncIterator[Listener]:
        """Deliver every event of ``channels`` into ``queue`` while the block runs.

        Enters only once the backend confirmed each subscription, so anything published after
        entering is delivered (callers replay from the database after this).
        """
        joined: list[str] = []
        try:
            for name in channels:
                await self._join(name, queue)
                joined.append(name)
            yield queue
        finally:
            for name in joined:
                await self._leave(name, queue)

    async def _join(self, name: str, queue: Listener) -> None:
        channel = self._channels.get(name)
        if channel is None:
            channel = self._channels[name] = _Channel()
        # Registered before the backend subscribes, so nothing that arrives right after the
        # confirmation can slip past this listener.
        channel.listeners.add(queue)
        try:
            async with channel.lock:
                if not channel.subscribed:
                    await self._backend.subscribe(name)
                    channel.subscribed = True
        except BaseException:
            await self._leave(name, queue)
            raise

    async def _leave(self, name: str, queue: Listener) -> None:
        channel = self._channels.get(name)
        if channel is None:
            return
        # Dropped before awaiting, so a second cancellation cannot leave a dead queue behind.
        channel.listeners.discard(queue)
        async with channel.lock:
            if channel.listeners or self._channels.get(name) is not channel:
                return
            del self._channels[name]
            # Even when the subscribe never confirmed (a cancelled listener): the backend may
            # have sent it, and unsubscribing what is not subscribed does nothing.
            try:
                await self._backend.unsubscribe(name)
            except Exception as error:
                log.warning("bus unsubscribe failed: %s", error, extra={"channel": name})

    async def _listen(self) -> None:
        while True:
            try:
                message = await self._backend.next_published()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("bus listener failed; every listener must resubscribe")
                self._fail_everyone()
                await asyncio.sleep(1)
                continue
            channel = self._channels.get(message.channel)
            if channel is None or not channel.listeners:
                continue
            event = self._decoded(message.message)
            if event is None:
                continue
            for queue in channel.listeners:
                queue.put_nowait(event)
            self.delivered += len(channel.listeners)

    def _decoded(self, data: str) -> object | None:
        # One message this release cannot read must not end every stream of the channel.
        try:
            return self._decode(data)
        except Exception:
            log.exception("bus event could not be decoded; skipped")
            return None

    def _fail_everyone(self) -> None:
        for channel in self._channels.values():
            for queue in channel.listeners:
                queue.put_nowait(BUS_FAILED)

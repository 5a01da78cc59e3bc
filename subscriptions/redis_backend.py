"""A broadcaster backend on ``redis.asyncio``'s PubSub that survives Redis restarts.

broadcaster 0.3.1's own Redis backend never recovers after a disconnect (upstream issue
#144). Here one PubSub per process resubscribes every channel when its connection comes back
(``on_connect``) and pings it (``health_check_interval``); its subscribe confirmations mean
"ready" and, after a reconnect, are when each channel gets the ``BUS_RECONNECTED`` marker so
its consumers catch up from the database. What PubSub lacks stays here, as small as it goes:

- ``PubSub.subscribe`` returns once SUBSCRIBE is sent; ``subscribe()`` waits for Redis's
  confirmation (at most ``subscribe_timeout``; a lost connection releases it at once), so a
  message published after it returned is never missed;
- PubSub reconnects from whichever task's command or read met the broken connection, at once,
  without backoff, and tells no one. Its retry is off (``supported_errors=()``); the read loop
  reconnects with capped exponential backoff and jitter, under the lock the commands take, so
  a channel subscribed meanwhile is in the resubscribe or sent after it;
- its health check sends the PING but never notices that no answer came (redis-py issue
  #2417): a connection that read nothing for three intervals counts as lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import Counter
from typing import Any

from broadcaster import BroadcastBackend, Event
from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.client import PubSub
from redis.asyncio.connection import Connection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from events.member import BUS_RECONNECTED

log = logging.getLogger(__name__)

RECONNECTED_MESSAGE = BUS_RECONNECTED.model_dump_json()


class ReconnectingRedisBackend(BroadcastBackend):
    def __init__(
        self,
        url: str,
        *,
        backoff_min: float = 0.05,
        backoff_max: float = 2.0,
        health_interval: float = 5.0,
        subscribe_timeout: float = 5.0,
        connect_timeout: float = 2.0,
    ) -> None:
        self.url = url
        self.backoff_min = backoff_min
        self.backoff_max = backoff_max
        self.health_interval = health_interval
        self.subscribe_timeout = subscribe_timeout
        self.connect_timeout = connect_timeout
        # One retry without delay: the first command on a pooled connection that Redis
        # closed during a restart fails once, the retry reconnects.
        self._publisher = Redis.from_url(
            url,
            socket_connect_timeout=connect_timeout,
            socket_timeout=connect_timeout,
            retry=Retry(NoBackoff(), 1),
        )
        # RESP2: redis-py 8 speaks RESP3 by default, where pub/sub messages are pushes routed
        # to a push handler instead of being returned by get_message.
        self._pool = ConnectionPool.from_url(
            url,
            protocol=2,
            decode_responses=True,
            socket_connect_timeout=connect_timeout,
            socket_timeout=connect_timeout,
            health_check_interval=health_interval,
            retry=Retry(NoBackoff(), 0, supported_errors=()),
        )
        self._pubsub = PubSub(self._pool)
        # One SUBSCRIBE/UNSUBSCRIBE or (re)connect at a time, in call order: the bus may
        # unsubscribe a channel and subscribe it again right after.
        self._lock = asyncio.Lock()
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self._needs_marker: set[str] = set()
        self._unconfirmed: Counter[str] = Counter()  # SUBSCRIBEs sent on this connection
        self._waiters: dict[str, asyncio.Future[None]] = {}  # resolved by the last confirmation
        self._ready = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self.reconnects = 0
        self.reconnected = asyncio.Event()  # set at each reconnect

    @property
    def connected(self) -> bool:
        connection = self._connection
        return connection is not None and bool(connection.is_connected)

    @property
    def _connection(self) -> Connection | None:
        connection: Connection | None = self._pubsub.connection
        return connection

    async def connect(self) -> None:
        self._runner = asyncio.create_task(self._run(), name="redis-bus")
        # Start-up waits a little for Redis but never fails on it: the loop keeps trying.
        try:
            await asyncio.wait_for(self._ready.wait(), self.connect_timeout)
        except TimeoutError:
            log.warning("redis bus not connected yet; retrying in the background")

    async def disconnect(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        self._release_waiters()
        await self._pubsub.aclose()  # type: ignore[no-untyped-call]
        await self._pool.aclose()
        await self._publisher.aclose()

    async def publish(self, channel: str, message: str) -> None:
        await self._publisher.publish(channel, message)

    async def next_published(self) -> Event:
        return await self._queue.get()

    async def subscribe(self, channel: str) -> None:
        async with self._lock:
            # Listed before sending: PubSub health-checks (PING and a read of its own) from the
            # calling task when it has no channel, and every reconnect resubscribes the list.
            self._pubsub.channels[channel] = None
            if not self.connected:
                self._needs_marker.add(channel)  # the reconnect subscribes it, then marks it
                return
            waiter = self._waiters.setdefault(channel, asyncio.get_running_loop().create_future())
            self._unconfirmed[channel] += 1
            try:
                await self._pubsub.subscribe(channel)
            except (RedisError, OSError) as error:
                log.warning("redis bus subscribe failed: %s", error)
                self._needs_marker.add(channel)
                return
        try:
            await asyncio.wait_for(asyncio.shield(waiter), self.subscribe_timeout)
        except TimeoutError:
            self._needs_marker.add(channel)
            log.warning("redis subscription not confirmed in time", extra={"channel": channel})

    async def unsubscribe(self, channel: str) -> None:
        async with self._lock:
            self._needs_marker.discard(channel)
            try:
                if self.connected:
                    await self._pubsub.unsubscribe(channel)
            except (RedisError, OSError) as error:
                log.warning("redis bus unsubscribe failed: %s", error)
            finally:
                # Unlisted only after sending (see subscribe), before any reconnect resubscribes.
                self._pubsub.channels.pop(channel, None)

    async def _run(self) -> None:
        attempt = 0
        while True:
            try:
                await self._open()
                attempt = 0
                await self._read()
            except (RedisError, OSError) as error:
                log.warning("redis bus connection lost: %s", error)
            async with self._lock:
                # A SUBSCRIBE sent on the lost connection is never confirmed: its caller goes now
                # rather than after ``subscribe_timeout``; the reconnect marks its channel.
                self._release_waiters()
                if self._connection is not None:
                    await self._connection.disconnect(nowait=True)
            delay = min(self.backoff_max, self.backoff_min * 2**attempt)
            attempt += 1
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))

    async def _open(self) -> None:
        async with self._lock:
            first = self._connection is None
            # Reconnecting runs the connect callbacks: PubSub.on_connect (SUBSCRIBE every
            # listed channel), then ours, whichever task reconnects.
            await self._pubsub.connect()  # type: ignore[no-untyped-call]
            if first and (connection := self._connection) is not None:
                # The pool connected this one before PubSub registered its callback.
                connection.register_connect_callback(self._connected)  # type: ignore[no-untyped-call]
                await self._pubsub.on_connect(connection)
                self._connected(connection)

    def _connected(self, connection: Connection) -> None:
        channels = set(self._pubsub.channels)
        self._unconfirmed = Counter(channels)
        # Anything published while they were not subscribed is lost: catch up after.
        self._needs_marker |= channels
        if self._ready.is_set():
            self.reconnects += 1
            self.reconnected.set()
            log.info("redis bus reconnected", extra={"channels": len(channels)})
        self._ready.set()

    async def _read(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            # PubSub would reconnect by itself on a closed connection; the loop does it instead.
            connection = self._connection
            if connection is None or not connection.is_connected:
                raise RedisConnectionError("redis bus connection closed")
            message = await self._pubsub.get_message(timeout=self.health_interval)
            if message is not None:
                self._received(message)
            elif loop.time() - connection.next_health_check > 2 * self.health_interval:
                raise RedisConnectionError("redis bus connection is silent")

    def _received(self, message: dict[str, Any]) -> None:
        if message["type"] == "message":
            self._queue.put_nowait(Event(message["channel"], message["data"]))
        elif message["type"] == "subscribe":
            self._confirmed(message["channel"])

    def _confirmed(self, channel: str) -> None:
        self._unconfirmed[channel] -= 1
        if self._unconfirmed[channel] > 0:
            return  # a later SUBSCRIBE of this channel is still in flight
        del self._unconfirmed[channel]
        if waiter := self._waiters.pop(channel, None):
            waiter.set_result(None)
        if channel in self._needs_marker:
            self._needs_marker.discard(channel)
            self._queue.put_nowait(Event(channel, RECONNECTED_MESSAGE))

    def _release_waiters(self) -> None:
        for waiter in self._waiters.values():
            waiter.set_result(None)
        self._waiters = {}

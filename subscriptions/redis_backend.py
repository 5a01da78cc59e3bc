"""A broadcaster backend on ``redis.asyncio`` that survives Redis restarts.

broadcaster 0.3.1's own Redis backend has two faults we cannot live with: its listener
task dies for good after a disconnect while ``publish`` keeps "succeeding" (upstream
issue #144), and with redis-py 8 it starts listening only after the first SUBSCRIBE, so
the first subscription's early messages can be dropped. This backend owns one dedicated
pub/sub connection per process and:

- reports a subscription ready only once Redis confirmed it, so a message published after
  ``subscribe()`` returned is never missed;
- reconnects with capped exponential backoff (with jitter), resubscribes every channel,
  and then emits the marker ``{"kind": "bus_reconnected"}`` on each resubscribed channel,
  so consumers catch up from the database (messages published while the connection was
  down are lost by Redis, never by the database);
- pings on an idle connection so a silently dead socket is noticed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random

from broadcaster import BroadcastBackend, Event
from redis.asyncio import ConnectionPool, Redis
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
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
        # RESP2 on the subscriber connection: redis-py 8 speaks RESP3 by default, where
        # pub/sub messages are pushes routed to a push handler instead of being returned.
        self._pool: ConnectionPool = ConnectionPool.from_url(
            url, socket_connect_timeout=connect_timeout, protocol=2
        )
        self._queue: asyncio.Queue[Event] = asyncio.Queue()
        self._channels: set[str] = set()
        self._needs_marker: set[str] = set()
        self._inflight: dict[str, int] = {}  # SUBSCRIBEs sent but not yet confirmed
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}
        self._conn: AbstractConnection | None = None
        self._connected = asyncio.Event()
        self._runner: asyncio.Task[None] | None = None
        self._last_seen = 0.0
        self.reconnects = 0

    @property
    def connected(self) -> bool:
        return self._conn is not None

    async def connect(self) -> None:
        self._runner = asyncio.create_task(self._run(), name="redis-bus")
        # Start-up waits a little for Redis but never fails on it: the loop keeps trying.
        try:
            await asyncio.wait_for(self._connected.wait(), self.connect_timeout)
        except TimeoutError:
            log.warning("redis bus not connected yet; retrying in the background")

    async def disconnect(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._runner
        await self._publisher.aclose()
        await self._pool.aclose()

    async def publish(self, channel: str, message: str) -> None:
        await self._publisher.publish(channel, message)

    async def next_published(self) -> Event:
        return await self._queue.get()

    async def subscribe(self, channel: str) -> None:
        self._channels.add(channel)
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(channel, []).append(waiter)
        if not await self._send(self._conn, "SUBSCRIBE", channel):
            # Down: the reconnect subscribes it and sends the marker, so the consumer
            # catches up from the database then.
            self._drop_waiter(channel, waiter)
            self._needs_marker.add(channel)
            return
        try:
            await asyncio.wait_for(asyncio.shield(waiter), self.subscribe_timeout)
        except TimeoutError:
            self._needs_marker.add(channel)
            log.warning("redis subscription not confirmed in time", extra={"channel": channel})
        finally:
            self._drop_waiter(channel, waiter)

    async def unsubscribe(self, channel: str) -> None:
        self._channels.discard(channel)
        self._needs_marker.discard(channel)
        await self._send(self._conn, "UNSUBSCRIBE", channel)

    def _release_waiters(self) -> None:
        waiters, self._waiters = self._waiters, {}
        for pending in waiters.values():
            for waiter in pending:
                if not waiter.done():
                    waiter.set_result(None)

    def _drop_waiter(self, channel: str, waiter: asyncio.Future[None]) -> None:
        waiters = self._waiters.get(channel, [])
        if waiter in waiters:
            waiters.remove(waiter)
        if not waiters:
            self._waiters.pop(channel, None)

    async def _send(self, conn: AbstractConnection | None, *command: str) -> bool:
        # ``send_command`` reconnects a closed connection by itself; the reader would never
        # see that socket, so only send on the live connection (no await before the send).
        if conn is None or conn is not self._conn or not conn.is_connected:
            return False
        if command[0] == "SUBSCRIBE":
            for channel in command[1:]:
                self._inflight[channel] = self._inflight.get(channel, 0) + 1
        try:
            await conn.send_command(*command)
        except (RedisError, OSError) as error:
            log.warning("redis bus send failed: %s", error)
            return False
        return True

    async def _run(self) -> None:
        attempt = 0
        ever_connected = False
        while True:
            conn = self._pool.make_connection()  # type: ignore[no-untyped-call]
            try:
                await conn.connect()
                self._conn = conn
                self._inflight = {}
                self._last_seen = asyncio.get_running_loop().time()
                if ever_connected:
                    self.reconnects += 1
                    log.info("redis bus reconnected", extra={"channels": len(self._channels)})
                ever_connected = True
                attempt = 0
                if self._channels:
                    await self._send(conn, "SUBSCRIBE", *sorted(self._channels))
                self._connected.set()
                await self._serve(conn)
            except (RedisError, OSError) as error:
                log.warning("redis bus connection lost: %s", error)
            finally:
                self._conn = None
                self._connected.clear()
                # Every channel may have missed messages while down: mark it for catch-up.
                self._needs_marker |= self._channels
                # A SUBSCRIBE sent on the lost connection is never confirmed: let its caller go
                # now instead of after ``subscribe_timeout`` (its channel is in the catch-up set
                # above, and the reconnect resubscribes it), so one outage starting mid-subscribe
                # does not stall every new stream of that channel.
                self._release_waiters()
                await conn.disconnect(nowait=True)
            delay = min(self.backoff_max, self.backoff_min * 2**attempt)
            attempt += 1
            await asyncio.sleep(delay * random.uniform(0.5, 1.0))

    async def _serve(self, conn: AbstractConnection) -> None:
        reader = asyncio.create_task(self._read(conn))
        watchdog = asyncio.create_task(self._watch(conn))
        try:
            done, _ = await asyncio.wait({reader, watchdog}, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        finally:
            for task in (reader, watchdog):
                task.cancel()
            await asyncio.gather(reader, watchdog, return_exceptions=True)

    async def _watch(self, conn: AbstractConnection) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.health_interval)
            if loop.time() - self._last_seen > 3 * self.health_interval:
                raise ConnectionError("redis bus connection is silent")
            await self._send(conn, "PING")

    async def _read(self, conn: AbstractConnection) -> None:
        loop = asyncio.get_running_loop()
        while True:
            reply = await conn.read_response(timeout=math.inf)
            self._last_seen = loop.time()
            if not isinstance(reply, list) or len(reply) < 2:
                continue  # PONG outside subscribed mode
            kind = reply[0]
            if kind == b"message":
                self._queue.put_nowait(Event(reply[1].decode(), reply[2].decode()))
            elif kind == b"subscribe":
                self._confirmed(reply[1].decode())

    def _confirmed(self, channel: str) -> None:
        pending = self._inflight.get(channel, 1) - 1
        self._inflight[channel] = max(pending, 0)
        if pending > 0:
            return  # a later SUBSCRIBE for this channel is still in flight
        for waiter in self._waiters.pop(channel, []):
            if not waiter.done():
                waiter.set_result(None)
        if channel in self._needs_marker and channel in self._channels:
            self._needs_marker.discard(channel)
            self._queue.put_nowait(Event(channel, RECONNECTED_MESSAGE))

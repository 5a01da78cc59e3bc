"""Subscriber clients in separate processes, so that the clients are never the bottleneck.

Each worker process runs one asyncio loop holding many ``websockets`` connections speaking
graphql-transport-ws (the bare baseline speaks the same framing). Message bodies carry
``"<seq> <unix time>"``: a worker records the delivery latency and every sequence number it
saw, per connection, so duplicates and gaps are counted exactly. On ``drop`` every connection
closes and resumes with ``after: <last cursor seen>`` (the reconnect storm).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import time
from dataclasses import dataclass, field
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event as MpEvent
from typing import Any

import orjson
import websockets
from websockets.asyncio.client import ClientConnection

PROTOCOL = "graphql-transport-ws"
CONNECT_CONCURRENCY = 50


@dataclass(frozen=True)
class Target:
    """Where one subscriber connects and what it subscribes to."""

    url: str
    token: str | None
    query: str
    variables: dict[str, Any]
    deflate: bool = False  # offer permessage-deflate, as browsers do


@dataclass
class WorkerResult:
    delivered: int = 0
    duplicates: int = 0
    missing: int = 0
    latencies: list[float] = field(default_factory=list)
    catch_up: list[float] = field(default_factory=list)  # seconds from drop to complete, per connection
    errors: list[str] = field(default_factory=list)


class _Subscriber:
    def __init__(self, target: Target) -> None:
        self.target = target
        self.seen: set[int] = set()
        self.duplicates = 0
        self.latencies: list[float] = []
        self.cursor: str | None = None
        self.frames = 0
        self.connection: ClientConnection | None = None
        self.catch_up_target = 0  # all seq <= this must be seen once resumed
        self.caught_up_at: float | None = None

    async def open(self, after: str | None = None) -> None:
        connection = await websockets.connect(
            self.target.url,
            subprotocols=[PROTOCOL],
            max_size=2**22,
            compression="deflate" if self.target.deflate else None,  # type: ignore[arg-type]
            open_timeout=30,
        )
        payload = {"Authorization": f"Bearer {self.target.token}"} if self.target.token else {}
        await connection.send(orjson.dumps({"type": "connection_init", "payload": payload}).decode())
        ack = orjson.loads(await asyncio.wait_for(connection.recv(), 30))
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        variables = dict(self.target.variables)
        if after is not None:
            variables["after"] = after
        operation = {"query": self.target.query, "variables": variables}
        message = {"id": "1", "type": "subscribe", "payload": operation}
        await connection.send(orjson.dumps(message).decode())
        self.connection = connection

    async def read(self) -> None:
        connection = self.connection
        assert connection is not None
        with contextlib.suppress(websockets.ConnectionClosed):
            async for raw in connection:
                self.frames += 1
                message = orjson.loads(raw)
                kind = message.get("type")
                if kind == "next":
                    self._on_event(message["payload"])
                elif kind == "ping":
                    await connection.send('{"type":"pong"}')
                elif kind in ("error", "complete"):
                    raise RuntimeError(f"subscription ended: {message}")

    def _on_event(self, payload: dict[str, Any]) -> None:
        now = time.time()
        if payload.get("errors"):
            raise RuntimeError(f"event with errors: {payload['errors']}")
        event = payload["data"]["roomEvents"]
        if event.get("type") != "MESSAGE":
            return  # JOIN/LEAVE presence: live only, not part of the measured stream
        self.cursor = event.get("cursor") or self.cursor
        seq_text, _, sent = event["message"]["body"].partition(" ")
        seq = int(seq_text)
        if seq <= 0:
            return  # warm-up traffic, not measured
        if seq in self.seen:
            self.duplicates += 1
            return
        self.seen.add(seq)
        self.latencies.append(now - float(sent.split(" ", 1)[0]))
        if self.catch_up_target and self.caught_up_at is None and self._has_all(self.catch_up_target):
            self.caught_up_at = now

    def _has_all(self, upto: int) -> bool:
        return len(self.seen) >= upto and all(seq in self.seen for seq in range(1, upto + 1))

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()


async def _worker_main(
    targets: list[Target],
    ready: Any,
    stop: MpEvent,
    drop: MpEvent,
    drop_target: Synchronized[int],
    delivered: Synchronized[int],
    frames: Synchronized[int],
    expected_last: Synchronized[int],
) -> WorkerResult:
    result = WorkerResult()
    subscribers = [_Subscriber(t) for t in targets]
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)

    async def open_one(sub: _Subscriber, after: str | None = None) -> None:
        async with gate:
            await sub.open(after)

    await asyncio.gather(*(open_one(s) for s in subscribers))
    readers = [asyncio.create_task(s.read()) for s in subscribers]
    ready.put(len(subscribers))
    loop = asyncio.get_running_loop()
    dropped_at: float | None = None
    while not stop.is_set():
        await asyncio.sleep(0.05)
        delivered.value = sum(len(s.seen) for s in subscribers)
        frames.value = sum(s.frames for s in subscribers)
        if drop.is_set() and dropped_at is None:
            dropped_at = time.time()
            for s in subscribers:
                s.catch_up_target = drop_target.value
            await asyncio.gather(*(s.close() for s in subscribers))
            await asyncio.gather(*readers, return_exceptions=True)
            await asyncio.gather(*(open_one(s, s.cursor) for s in subscribers))
            readers = [asyncio.create_task(s.read()) for s in subscribers]
    for task in readers:
        if task.done() and task.exception() is not None:
            result.errors.append(repr(task.exception()))
    await asyncio.gather(*(s.close() for s in subscribers), return_exceptions=True)
    await asyncio.gather(*readers, return_exceptions=True)
    del loop
    last = expected_last.value
    for s in subscribers:
        result.delivered += len(s.seen)
        result.duplicates += s.duplicates
        result.latencies.extend(s.latencies)
        if last:
            result.missing += sum(1 for seq in range(1, last + 1) if seq not in s.seen)
        if dropped_at is not None:
            if s.caught_up_at is not None:
                result.catch_up.append(s.caught_up_at - dropped_at)
            else:
                result.errors.append("a subscriber never caught up")
    return result


def _worker(
    targets: list[Target],
    ready: Any,
    results: Any,
    stop: MpEvent,
    drop: MpEvent,
    drop_target: Synchronized[int],
    delivered: Synchronized[int],
    frames: Synchronized[int],
    expected_last: Synchronized[int],
) -> None:
    try:
        result = asyncio.run(
            _worker_main(targets, ready, stop, drop, drop_target, delivered, frames, expected_last)
        )
    except BaseException as error:
        ready.put(-1)
        result = WorkerResult(errors=[repr(error)])
    results.put(result)


class SubscriberPool:
    """``processes`` worker processes sharing ``targets`` round-robin."""

    def __init__(self, targets: list[Target], processes: int) -> None:
        context = mp.get_context("spawn")
        self.ready = context.Queue()
        self.results = context.Queue()
        self.stop_event = context.Event()
        self.drop_event = context.Event()
        self.drop_target = context.Value("q", 0, lock=False)
        self.expected_last = context.Value("q", 0, lock=False)
        self.delivered_counters = []
        self.frame_counters = []
        self.processes = []
        count = max(1, min(processes, len(targets)))
        for index in range(count):
            delivered = context.Value("q", 0, lock=False)
            frames = context.Value("q", 0, lock=False)
            self.delivered_counters.append(delivered)
            self.frame_counters.append(frames)
            process = context.Process(
                target=_worker,
                args=(
                    targets[index::count],
                    self.ready,
                    self.results,
                    self.stop_event,
                    self.drop_event,
                    self.drop_target,
                    delivered,
                    frames,
                    self.expected_last,
                ),
                daemon=True,
            )
            self.processes.append(process)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes if p.pid is not None]

    def start(self, timeout: float = 120.0) -> None:
        for process in self.processes:
            process.start()
        for _ in self.processes:
            if self.ready.get(timeout=timeout) < 0:
                raise RuntimeError(f"a subscriber worker failed: {self.results.get(timeout=5).errors}")

    def delivered(self) -> int:
        return sum(c.value for c in self.delivered_counters)

    def frames(self) -> int:
        return sum(c.value for c in self.frame_counters)

    def settle(self, quiet: float = 0.5, limit: float = 60.0) -> None:
        """Wait until no frame arrived for ``quiet`` seconds (the JOIN storm of a new room is over)."""
        deadline = time.monotonic() + limit
        last, since = self.frames(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self.frames()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return

    def wait_delivered(self, expected: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.delivered() >= expected:
                return True
            time.sleep(0.02)
        return False

    def drop(self, target_seq: int) -> None:
        self.drop_target.value = target_seq
        self.drop_event.set()

    def finish(self, last_seq: int = 0, timeout: float = 60.0) -> WorkerResult:
        self.expected_last.value = last_seq
        self.stop_event.set()
        total = WorkerResult()
        for _ in self.processes:
            part: WorkerResult = self.results.get(timeout=timeout)
            total.delivered += part.delivered
            total.duplicates += part.duplicates
            total.missing += part.missing
            total.latencies.extend(part.latencies)
            total.catch_up.extend(part.catch_up)
            total.errors.extend(part.errors)
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
        return total

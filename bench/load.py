"""Load generators: a minimal keep-alive HTTP/1.1 client and a steady-rate publisher.

httpx spends more CPU per request than a bare Starlette endpoint does, so on this 2-core machine
it would measure itself; this client writes pre-built request bytes and reads Content-Length.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import orjson


@dataclass(frozen=True)
class Request:
    path: str
    body: bytes
    token: str | None = None

    def encode(self) -> bytes:
        auth = f"Authorization: Bearer {self.token}\r\n" if self.token else ""
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"{auth}Content-Length: {len(self.body)}\r\n\r\n"
        )
        return head.encode() + self.body


def graphql_request(
    path: str, query: str, variables: dict[str, object] | None = None, token: str | None = None
) -> Request:
    return Request(path, orjson.dumps({"query": query, "variables": variables or {}}), token)


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return status, await self.reader.readexactly(length)

    def close(self) -> None:
        self.writer.close()


@dataclass
class LoadResult:
    completed: int = 0
    failed: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    first_failure: str = ""

    @property
    def per_second(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0


def graphql_ok(status: int, body: bytes) -> bool:
    return status == 200 and b'"errors"' not in body


async def closed_loop(
    port: int,
    requests: list[Request],
    *,
    concurrency: int,
    duration: float,
    ok: Callable[[int, bytes], bool] = graphql_ok,
) -> LoadResult:
    """``concurrency`` connections, each sending its next request as soon as the last returned."""
    result = LoadResult()
    encoded = [r.encode() for r in requests]
    connections = [await Connection.open(port) for _ in range(concurrency)]
    stop_at = time.perf_counter() + duration

    async def run(index: int, connection: Connection) -> None:
        n = index
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            status, body = await connection.send(encoded[n % len(encoded)])
            n += concurrency
            if ok(status, body):
                result.completed += 1
                result.latencies.append(time.perf_counter() - started)
            else:
                result.failed += 1
                result.first_failure = result.first_failure or f"{status} {body[:300]!r}"

    started = time.perf_counter()
    await asyncio.gather(*(run(i, c) for i, c in enumerate(connections)))
    result.seconds = time.perf_counter() - started
    for connection in connections:
        connection.close()
    return result


async def steady(
    send: Callable[[int], Awaitable[bool]], *, rate: float, duration: float, in_flight: int = 32
) -> tuple[int, int]:
    """Call ``send(seq)`` for seq = 1, 2, ... at ``rate`` per second; returns (last seq, failures).

    Requests overlap (up to ``in_flight``) so a slow response does not lower the offered rate.
    """
    total = max(1, round(rate * duration))
    gate = asyncio.Semaphore(in_flight)
    failures = 0
    tasks = []

    async def one(seq: int) -> None:
        nonlocal failures
        async with gate:
            if not await send(seq):
                failures += 1

    started = time.perf_counter()
    for seq in range(1, total + 1):
        delay = started + (seq - 1) / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(seq)))
    await asyncio.gather(*tasks)
    return total, failures


def body_for(seq: int) -> str:
    """A message body subscribers can time: sequence number and send time."""
    return f"{seq} {time.time():.6f}"

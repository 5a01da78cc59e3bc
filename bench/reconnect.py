"""Benchmark 4, reconnect storm: M subscribers drop at once mid-stream and resume with
``after: <last cursor seen>`` while messages keep flowing. Every subscriber must end with every
message exactly once; the time from the drop until the last subscriber has all messages sent
before the drop is the catch-up time. No baseline: the bare server has no durable log to resume.
"""

from __future__ import annotations

import asyncio
import math

from bench.fanout import NEEDS, ROOM_EVENTS, SUBSCRIBERS_PER_PROCESS, Publish, graphql_publisher
from bench.load import steady
from bench.measure import http_client, percentile
from bench.modes import Mode
from bench.probe import missing, operations
from bench.report import Row, emit
from bench.stack import Stack
from bench.subscribers import SubscriberPool, Target, WorkerResult
from bench.world import ChatRoom, World
from tests.support.servers import AppServer

MESSAGE_RATE = 20.0


async def storm_room(stack: Stack, size: int) -> ChatRoom:
    async with World(stack.env) as world:
        leader, *members = await world.members(size + 1)
        return await world.challenge(leader, members, title="Reconnect storm")


async def publish_through_drop(
    pool: SubscriberPool, publish: Publish, seconds: float, acked: set[int]
) -> tuple[int, int]:
    """Publish for ``seconds`` and drop every subscriber halfway, to resume after the last message
    acknowledged without a gap. Fills ``acked`` as sends succeed; returns (last seq, failures)."""

    async def tracked(seq: int) -> bool:
        ok = await publish(seq)
        if ok:
            acked.add(seq)
        return ok

    async def drop_halfway() -> None:
        await asyncio.sleep(seconds / 2)
        contiguous = 0
        while contiguous + 1 in acked:
            contiguous += 1
        pool.drop(contiguous)

    dropper = asyncio.create_task(drop_halfway())
    sent = await steady(tracked, rate=MESSAGE_RATE, duration=seconds)
    await dropper
    return sent


async def storm(apps: list[AppServer], room: ChatRoom, seconds: float) -> tuple[set[int], int, WorkerResult]:
    """(the sequence numbers acknowledged, failed sends, what the subscribers saw)."""
    variables = {"challengeId": str(room.challenge_id)}
    targets = [
        Target(apps[i % len(apps)].ws_url, seat.token, ROOM_EVENTS, variables)
        for i, seat in enumerate(room.members)
    ]
    size = len(targets)
    pool = SubscriberPool(targets, math.ceil(size / SUBSCRIBERS_PER_PROCESS))
    await asyncio.to_thread(pool.start)
    acked: set[int] = set()
    try:
        await asyncio.to_thread(pool.settle)
        async with http_client() as client:
            publish = graphql_publisher(client, apps[0].graphql_url, room)
            last, failures = await publish_through_drop(pool, publish, seconds, acked)
        await asyncio.to_thread(pool.wait_delivered, last * size, 30.0)
    finally:
        result = await asyncio.to_thread(pool.finish, last_seq=max(acked, default=0))
    return acked, failures, result


def record(row: Row, size: int, acked: set[int], failures: int, result: WorkerResult) -> None:
    expected = len(acked) * size
    share = (expected - result.missing) / expected if expected else 0.0
    catch_up = max(result.catch_up, default=float("nan"))
    row.ours = f"{share:.2%} delivered, {result.duplicates} dup, catch-up {catch_up * 1000:.0f} ms"
    row.notes.append(
        f"ours: {len(acked)} messages x {size} subscribers, {result.missing} missing, {result.duplicates} "
        f"duplicates, catch-up p50 {percentile(result.catch_up, 0.5) * 1000:.0f} ms / max "
        f"{catch_up * 1000:.0f} ms, {failures} failed sends"
        + (f", errors: {result.errors[:3]}" if result.errors else "")
    )
    row.met = result.missing == 0 and result.duplicates == 0 and not result.errors and failures == 0


async def run(stack: Stack, mode: Mode) -> list[Row]:
    instances = 2 if stack.uses_redis else 1
    size = mode.storm_subscribers
    row = Row(
        f"reconnect storm {size} subs ({stack.backend}{', 2 nodes' if instances == 2 else ''})",
        target="100% delivered, 0 duplicates",
    )
    apps = [stack.start_app() for _ in range(instances)]
    row.pending = missing(operations(apps[0].graphql_url), NEEDS)
    if row.pending:
        for app in apps:
            app.stop()
        return [emit(row)]
    acked, failures, result = await storm(apps, await storm_room(stack, size), mode.storm_seconds)
    for app in apps:
        app.stop()
    record(row, size, acked, failures, result)
    return [emit(row)]

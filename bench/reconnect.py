"""Benchmark 4, reconnect storm: M subscribers drop at once mid-stream and resume with
``after: <last cursor seen>`` while messages keep flowing. Every subscriber must end with every
message exactly once; the time from the drop until the last subscriber has all messages sent
before the drop is the catch-up time. No baseline: the bare server has no durable log to resume.
"""

from __future__ import annotations

import asyncio
import math

import httpx

from bench.fanout import NEEDS, ROOM_EVENTS, SUBSCRIBERS_PER_PROCESS, graphql_publisher
from bench.load import steady
from bench.measure import percentile
from bench.modes import Mode
from bench.probe import missing, operations
from bench.report import Row, emit
from bench.stack import Stack
from bench.subscribers import SubscriberPool, Target
from bench.world import World

MESSAGE_RATE = 20.0


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
    async with World(stack.env) as world:
        leader, *members = await world.members(size + 1)
        room = await world.challenge(leader, members, title="Reconnect storm")
    variables = {"challengeId": str(room.challenge_id)}
    targets = [
        Target(apps[i % instances].ws_url, seat.token, ROOM_EVENTS, variables)
        for i, seat in enumerate(members)
    ]
    pool = SubscriberPool(targets, math.ceil(size / SUBSCRIBERS_PER_PROCESS))
    await asyncio.to_thread(pool.start)
    acked: set[int] = set()
    try:
        await asyncio.to_thread(pool.settle)
        async with httpx.AsyncClient(timeout=30) as client:
            publish = graphql_publisher(client, apps[0].graphql_url, room)

            async def tracked(seq: int) -> bool:
                ok = await publish(seq)
                if ok:
                    acked.add(seq)
                return ok

            async def storm() -> None:
                await asyncio.sleep(mode.storm_seconds / 2)
                contiguous = 0
                while contiguous + 1 in acked:
                    contiguous += 1
                pool.drop(contiguous)

            dropper = asyncio.create_task(storm())
            last, failures = await steady(tracked, rate=MESSAGE_RATE, duration=mode.storm_seconds)
            await dropper
        await asyncio.to_thread(pool.wait_delivered, last * size, 30.0)
    finally:
        result = await asyncio.to_thread(pool.finish, last_seq=max(acked, default=0))
    for app in apps:
        app.stop()
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
    return [emit(row)]

"""Benchmark 1, chat fan-out: N subscribers of one room over real WebSockets, messages at a
steady rate; server CPU µs per delivered event and p50/p99 delivery latency.

Baseline: ``bench/baselines/broadcast_ws.py`` (bare broadcaster + Starlette WebSocket sending
the same JSON). On PostgreSQL+Redis both sides run two instances with subscribers split across
them (the fan-out crosses Redis), and the CPU of both instances is counted.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx

from bench.load import body_for, steady
from bench.measure import CpuMeter, Latency, http_client, until_idle
from bench.modes import Mode
from bench.probe import missing, operations
from bench.report import Point, Row, emit
from bench.stack import Stack
from bench.subscribers import SubscriberPool, Target
from bench.world import ChatRoom, World

ROOM_EVENTS = """
subscription RoomEvents($challengeId: ID!, $after: String) {
  roomEvents(challengeId: $challengeId, after: $after) {
    type cursor at
    message { id cursor body createdAt sender { id nickname } }
  }
}
"""
SEND_MESSAGE = """
mutation SendMessage($challengeId: ID!, $body: String!) {
  sendMessage(challengeId: $challengeId, body: $body) { id }
}
"""
NEEDS = ["Subscription.roomEvents", "Mutation.sendMessage"]
SUBSCRIBERS_PER_PROCESS = 125
WARM_UP_MESSAGES = 5
# Issue 18's targets: CPU per delivery against the bare baseline's, by size (below 100 a message's
# sendMessage outweighs its deliveries, so the ratio is printed without a target), and at 500 the
# p99 delivery latency against the bare p99 of the same run.
TARGET_RATIOS = ((500, 0.90), (100, 0.75))
TARGET_P99_FACTOR = 1.2


def target_ratio(size: int) -> float | None:
    return next((ratio for least, ratio in TARGET_RATIOS if size >= least), None)


def target_text(size: int) -> str:
    ratio = target_ratio(size)
    if ratio is None:
        return "- (sendMessage-bound)"
    return f">= {ratio:.2f}" + (f", p99 <= {TARGET_P99_FACTOR}x bare" if size >= 500 else "")


Publish = Callable[[int], Awaitable[bool]]


@dataclass
class FanoutResult:
    cpu_us_per_event: float
    latency: Latency
    delivered: int
    expected: int
    deliveries_per_second: float
    client_cpu_max: float  # busiest client process, fraction of one core
    duplicates: int
    errors: list[str]

    def summary(self) -> str:
        return f"{self.cpu_us_per_event:.0f} µs/ev, p99 {self.latency.p99_ms:.1f} ms"

    def detail(self, side: str) -> str:
        share = self.delivered / self.expected if self.expected else 0.0
        return (
            f"{side}: {self.cpu_us_per_event:.1f} µs CPU/event, {self.latency}, "
            f"{self.deliveries_per_second:.0f} deliveries/s, delivered {share:.2%}, "
            f"{self.duplicates} duplicates, busiest client process {self.client_cpu_max:.0%} of a core"
            + (f", errors: {self.errors[:3]}" if self.errors else "")
        )


def graphql_publisher(client: httpx.AsyncClient, url: str, room: ChatRoom) -> Publish:
    headers = {"Authorization": f"Bearer {room.leader.token}"}

    async def publish(seq: int) -> bool:
        variables = {"challengeId": str(room.challenge_id), "body": body_for(seq)}
        payload = {"query": SEND_MESSAGE, "variables": variables}
        response = await client.post(url, json=payload, headers=headers)
        return response.status_code == 200 and not response.json().get("errors")

    return publish


def bare_publisher(client: httpx.AsyncClient, url: str, room: ChatRoom) -> Publish:
    async def publish(seq: int) -> bool:
        payload = {
            "challengeId": room.challenge_id,
            "body": body_for(seq),
            "senderId": room.leader.member_id,
            "nickname": room.leader.nickname,
        }
        response = await client.post(url, json=payload)
        return response.status_code == 200

    return publish


async def measure(
    *,
    ws_urls: list[str],
    server_pids: list[int],
    room: ChatRoom,
    publish: Publish,
    rate: float,
    duration: float,
    deflate: bool = False,
) -> FanoutResult:
    variables = {"challengeId": str(room.challenge_id)}
    targets = [
        Target(ws_urls[i % len(ws_urls)], seat.token, ROOM_EVENTS, variables, deflate)
        for i, seat in enumerate(room.members)
    ]
    pool = SubscriberPool(targets, math.ceil(len(targets) / SUBSCRIBERS_PER_PROCESS))
    await asyncio.to_thread(pool.start)
    try:
        await asyncio.to_thread(pool.settle)
        await until_idle(server_pids)  # the subscribers' JOIN announcements are not what is measured
        # Warm-up messages (negative numbers, not measured): first-use costs are not fan-out.
        await asyncio.gather(*(publish(-seq) for seq in range(1, WARM_UP_MESSAGES + 1)))
        await asyncio.sleep(0.3)
        server_cpu = CpuMeter(server_pids)
        client_cpus = [CpuMeter([pid]) for pid in pool.pids]
        server_cpu.start()
        for meter in client_cpus:
            meter.start()
        started = time.perf_counter()
        last, failures = await steady(publish, rate=rate, duration=duration)
        expected = (last - failures) * len(targets)
        await asyncio.to_thread(pool.wait_delivered, expected, 10.0)
        wall = time.perf_counter() - started
        server_cpu.stop()
        client_seconds = max(meter.stop() for meter in client_cpus)
    finally:
        result = await asyncio.to_thread(pool.finish)
    delivered = max(result.delivered, 1)
    return FanoutResult(
        cpu_us_per_event=server_cpu.seconds / delivered * 1e6,
        latency=Latency.of(result.latencies),
        delivered=result.delivered,
        expected=expected,
        deliveries_per_second=result.delivered / wall,
        client_cpu_max=client_seconds / wall,
        duplicates=result.duplicates,
        errors=result.errors + ([f"{failures} publishes failed"] if failures else []),
    )


def judge(row: Row, size: int, base: FanoutResult, ours: FanoutResult) -> None:
    """Met: every event delivered once and the size's targets (none below 100 subscribers)."""
    complete = not ours.errors and ours.delivered == ours.expected and not ours.duplicates
    p99_factor = ours.latency.p99_ms / base.latency.p99_ms if base.latency.p99_ms else float("inf")
    row.notes.append(f"p99 ours / bare = {p99_factor:.2f}")
    target = target_ratio(size)
    if target is None or row.ratio is None:
        row.met = None if complete else False
        return
    row.met = complete and row.ratio >= target
    if size >= 500:
        row.met = row.met and p99_factor <= TARGET_P99_FACTOR


async def run(stack: Stack, mode: Mode) -> list[Row]:
    instances = 2 if stack.uses_redis else 1
    label = stack.backend + (", 2 nodes" if instances == 2 else "")
    baselines = [stack.start_baseline("bench.baselines.broadcast_ws:create_app") for _ in range(instances)]
    apps = [stack.start_app() for _ in range(instances)]
    pending = missing(operations(apps[0].graphql_url), NEEDS)
    rows = []
    async with World(stack.env) as world, http_client() as client:
        for size in mode.fanout_sizes:
            rate = min(mode.max_message_rate, mode.deliveries_per_second / size)
            leader, *members = await world.members(size + 1)
            room = await world.challenge(leader, members, title=f"Fan-out {size}")
            row = Row(f"fan-out {size} subs ({label})", target=target_text(size))
            base = await measure(
                ws_urls=[f"{b.ws_url}/graphql" for b in baselines],
                server_pids=[b.pid for b in baselines],
                room=room,
                publish=bare_publisher(client, f"{baselines[0].url}/publish", room),
                rate=rate,
                duration=mode.fanout_seconds,
                deflate=stack.client_deflate,
            )
            row.baseline = base.summary()
            row.notes.append(base.detail("baseline"))
            if pending:
                row.pending = pending
            else:
                ours = await measure(
                    ws_urls=[a.ws_url for a in apps],
                    server_pids=[a.pid for a in apps],
                    room=room,
                    publish=graphql_publisher(client, apps[0].graphql_url, room),
                    rate=rate,
                    duration=mode.fanout_seconds,
                    deflate=stack.client_deflate,
                )
                row.ours = ours.summary()
                row.notes.append(ours.detail("ours"))
                row.ratio = base.cpu_us_per_event / ours.cpu_us_per_event
                judge(row, size, base, ours)
                row.point = Point(
                    "fan-out", stack.backend, size, row.ratio, ours.latency.p99_ms, base.latency.p99_ms
                )
            rows.append(emit(row))
    for baseline in baselines:
        baseline.stop()
    for app in apps:
        app.stop()
    return rows

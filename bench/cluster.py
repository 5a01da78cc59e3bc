"""Benchmark 6, the cluster ("before and after nginx"): the same load against 1 instance direct,
1 behind nginx, and 2 and 4 behind nginx (``deploy/cluster``, on PostgreSQL + Redis).

Per topology, with S subscribers of one room connected through the same entry point: a closed
loop of challenge-list reads, then a closed loop of sendMessage into that room (each message
fanned out to the S subscribers). Throughput, p50/p99 and the CPU per request of every server
process (the instances and nginx). On a 2-core machine the load generator, the subscriber
processes and every instance share two cores, so the gain is bounded by the cores:
``bench/cluster_report.py`` shows the per-instance efficiency next to the throughput.
"""

from __future__ import annotations

import asyncio
import math
from dataclasses import dataclass

from bench.challenges_list import CHALLENGES
from bench.challenges_list import seed as seed_challenges
from bench.cluster_report import Figures, plot, rows
from bench.fanout import ROOM_EVENTS, SUBSCRIBERS_PER_PROCESS
from bench.load import Request, closed_loop, graphql_request
from bench.measure import CpuMeter, Latency
from bench.modes import Mode
from bench.report import Row, emit
from bench.send_message import SEND_MESSAGE
from bench.stack import Stack
from bench.subscribers import SubscriberPool, Target
from bench.world import ChatRoom, Seat, World
from deploy.cluster import Cluster

# Bodies the subscriber workers count as deliveries without timing them (sequence 0).
BODY = "0 0"
WARM_UP_SECONDS = 0.5  # first-use costs (parse and validation caches, pool connections) unmeasured


@dataclass(frozen=True)
class Load:
    reads: list[Request]
    sends: list[Request]
    room: ChatRoom


@dataclass(frozen=True)
class Entry:
    """Where the clients connect: nginx, or the one instance directly."""

    name: str
    instances: int
    port: int
    pids: list[int]


async def prepare(stack: Stack, mode: Mode) -> Load:
    async with World(stack.env) as world:
        viewer: Seat = await seed_challenges(world)
        leader, *members = await world.members(mode.cluster_subscribers + mode.http_concurrency + 1)
        room = await world.challenge(leader, members, title="Cluster bench")
    senders = members[: mode.http_concurrency]
    variables = {"challengeId": str(room.challenge_id), "body": BODY}
    return Load(
        reads=[graphql_request("/graphql", CHALLENGES, token=viewer.token)],
        sends=[graphql_request("/graphql", SEND_MESSAGE, variables, seat.token) for seat in senders],
        room=room,
    )


def entries(cluster: Cluster) -> list[Entry]:
    instances = [instance.pid for instance in cluster.members]
    behind = Entry(
        f"{len(instances)} behind nginx", len(instances), cluster.port, instances + cluster.nginx.pids
    )
    if len(instances) > 1:
        return [behind]
    direct = Entry("1 direct", 1, cluster.members[0].port, instances)
    return [direct, behind]


async def phase(
    entry: Entry, phase_name: str, requests: list[Request], mode: Mode, pool: SubscriberPool
) -> Figures:
    await closed_loop(entry.port, requests, concurrency=mode.http_concurrency, duration=WARM_UP_SECONDS)
    meter = CpuMeter(entry.pids)
    frames = pool.frames()
    meter.start()
    result = await closed_loop(
        entry.port, requests, concurrency=mode.http_concurrency, duration=mode.http_seconds
    )
    meter.stop()
    await asyncio.sleep(0.5)  # the last deliveries of the phase arrive
    latency = Latency.of(result.latencies)
    return Figures(
        topology=entry.name,
        instances=entry.instances,
        phase=phase_name,
        per_second=result.per_second,
        p50_ms=latency.p50_ms,
        p99_ms=latency.p99_ms,
        cpu_us=meter.seconds / max(result.completed, 1) * 1e6,
        deliveries_per_second=(pool.frames() - frames) / result.seconds if result.seconds else 0.0,
        failed=result.failed,
    )


async def measure(entry: Entry, load: Load, mode: Mode) -> list[Figures]:
    url = f"ws://127.0.0.1:{entry.port}/graphql"
    challenge = {"challengeId": str(load.room.challenge_id)}
    targets = [Target(url, seat.token, ROOM_EVENTS, challenge) for seat in load.room.members]
    pool = SubscriberPool(targets, math.ceil(len(targets) / SUBSCRIBERS_PER_PROCESS))
    await asyncio.to_thread(pool.start)
    try:
        await asyncio.to_thread(pool.settle)
        found = [
            await phase(entry, "challenges list", load.reads, mode, pool),
            await phase(entry, "sendMessage", load.sends, mode, pool),
        ]
    finally:
        await asyncio.to_thread(pool.finish)
    for figures in found:
        print(f"[bench] cluster {figures.topology}, {figures.phase}: {figures.summary()}", flush=True)
    return found


async def run(stack: Stack, mode: Mode, plot_path: str | None = None) -> list[Row]:
    load = await prepare(stack, mode)
    figures: list[Figures] = []
    for count in mode.cluster_instances:
        with Cluster(
            instances=count,
            root=stack.root / f"cluster-{count}",
            database_url=stack.env["DATABASE_URL"],
            redis_url=stack.env["REDIS_URL"],
            env=stack.env,
        ) as cluster:
            for entry in entries(cluster):
                figures += await measure(entry, load, mode)
    if plot_path:
        plot(figures, plot_path, mode.name)
        print(f"[bench] cluster plot: {plot_path}", flush=True)
    return [emit(row) for row in rows(figures)]

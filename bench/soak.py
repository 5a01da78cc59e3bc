"""Benchmark 5, soak: steady chat load while subscribers churn (one closes and a new one opens
every CHURN_INTERVAL). Measured from outside the process only: RSS from /proc (growth after
warm-up < 5%), open file descriptors before and after the churn (leaked sockets or tasks holding
them), and any subscription/task gauges ``/metrics`` exposes, when it exists.
The bare baseline runs the same load, so the harness is exercised even while "ours" is pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from dataclasses import dataclass

import httpx

from bench.fanout import NEEDS, ROOM_EVENTS, Publish, bare_publisher, graphql_publisher
from bench.load import steady
from bench.measure import http_client, open_files, open_files_by_kind, rss_bytes
from bench.modes import Mode
from bench.probe import missing, operations
from bench.report import Row, emit
from bench.stack import Stack
from bench.subscribers import Target, _Subscriber
from bench.world import ChatRoom, World

MESSAGE_RATE = 20.0
CHURN_INTERVAL = 0.25
WARM_UP_FRACTION = 1 / 3
MAX_WARM_UP_SECONDS = 30.0
TARGET_RSS_GROWTH = 0.05
GAUGE_WORDS = ("subscription", "websocket", "task", "connection")


async def metrics(client: httpx.AsyncClient, base_url: str) -> dict[str, float]:
    """Gauges about subscriptions, sockets or tasks from ``/metrics`` (empty when there is none)."""
    with contextlib.suppress(httpx.HTTPError):
        response = await client.get(f"{base_url}/metrics")
        if response.status_code == 200:
            found = {}
            # Only gauges: counters (e.g. operations served) grow with the load by design.
            gauges = {
                line.split()[2]
                for line in response.text.splitlines()
                if line.startswith("# TYPE ") and line.split()[-1] == "gauge"
            }
            for line in response.text.splitlines():
                name, _, value = line.rpartition(" ")
                if line.startswith("#") or not any(w in name.lower() for w in GAUGE_WORDS):
                    continue
                if name.partition("{")[0] not in gauges:
                    continue
                with contextlib.suppress(ValueError):
                    found[name] = float(value)
            return found
    return {}


class Crowd:
    """Subscribers of one room; ``churn`` closes a random one and opens a new one every interval."""

    def __init__(self, ws_url: str, room: ChatRoom) -> None:
        self.ws_url = ws_url
        self.seats = room.members
        self.variables = {"challengeId": str(room.challenge_id)}
        self.live: list[tuple[_Subscriber, asyncio.Task[None]]] = []
        self.churned = 0

    async def open(self, count: int) -> None:
        for _ in range(count):
            await self.open_one()

    async def open_one(self) -> None:
        sub = _Subscriber(Target(self.ws_url, random.choice(self.seats).token, ROOM_EVENTS, self.variables))
        await sub.open()
        self.live.append((sub, asyncio.create_task(sub.read())))

    async def close_all(self) -> None:
        while self.live:
            sub, task = self.live.pop()
            await sub.close()
            await asyncio.gather(task, return_exceptions=True)
        await asyncio.sleep(1.0)  # let the server notice the disconnects

    async def churn(self, until: float) -> None:
        while time.monotonic() < until:
            await asyncio.sleep(CHURN_INTERVAL)
            sub, task = self.live.pop(random.randrange(len(self.live)))
            await sub.close()
            await asyncio.gather(task, return_exceptions=True)
            await self.open_one()
            self.churned += 1


@dataclass
class Soaked:
    growth: float
    fds_before: int
    fds_after: int
    gauges_before: dict[str, float]
    gauges_after: dict[str, float]
    churned: int
    kinds: str  # the fds whose count changed, by kind

    def summary(self) -> str:
        return f"RSS {self.growth:+.1%}, fds {self.fds_before}->{self.fds_after}"

    def detail(self, side: str) -> str:
        text = f"{side}: RSS growth after warm-up {self.growth:+.1%}"
        text += f", open fds {self.fds_before} -> {self.fds_after}"
        text += f" ({self.kinds})" if self.kinds else ""
        text += f", {self.churned} churned"
        before, after = self.gauges_before, self.gauges_after
        changed = {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}
        return text + (f", /metrics changes {changed}" if changed else ", /metrics: none or unchanged")


async def rss_samples(pid: int, stop_at: float) -> list[tuple[float, int]]:
    """(seconds since the start, RSS) every half second until ``stop_at``."""
    samples: list[tuple[float, int]] = []
    started = time.monotonic()
    while time.monotonic() < stop_at:
        samples.append((time.monotonic() - started, rss_bytes(pid)))
        await asyncio.sleep(0.5)
    return samples


def kind_changes(before: dict[str, int], after: dict[str, int]) -> str:
    return ", ".join(
        f"{kind} {before.get(kind, 0)}->{after.get(kind, 0)}"
        for kind in sorted(before.keys() | after.keys())
        if before.get(kind, 0) != after.get(kind, 0)
    )


async def soak(
    *,
    pid: int,
    base_url: str,
    ws_url: str,
    room: ChatRoom,
    publish: Publish,
    subscribers: int,
    seconds: float,
    client: httpx.AsyncClient,
    peers: dict[int, str],
) -> Soaked:
    crowd = Crowd(ws_url, room)
    # A warm-up round of the same load first, churn included, so that lazily opened files and
    # pools are in the "before" count: database files, the publisher's keep-alive connection, and
    # the Redis and database pools, which open connections up to the peak of concurrent commands
    # and keep them. A lighter warm-up leaves the pools short of that working size, and their
    # growth during the soak would read as a leak.
    warm_up = min(seconds * WARM_UP_FRACTION, MAX_WARM_UP_SECONDS)
    await crowd.open(subscribers)
    await asyncio.gather(
        crowd.churn(time.monotonic() + warm_up), steady(publish, rate=MESSAGE_RATE, duration=warm_up)
    )
    await crowd.close_all()
    crowd.churned = 0
    fds_before, gauges_before = open_files(pid), await metrics(client, base_url)
    kinds_before = open_files_by_kind(pid, peers)

    await crowd.open(subscribers)
    stop_at = time.monotonic() + seconds
    _, samples, _ = await asyncio.gather(
        crowd.churn(stop_at), rss_samples(pid, stop_at), steady(publish, rate=MESSAGE_RATE, duration=seconds)
    )
    await crowd.close_all()
    warm = [rss for at, rss in samples if at >= seconds * WARM_UP_FRACTION] or [samples[-1][1]]
    growth = (warm[-1] - warm[0]) / warm[0]
    fds_after, kinds_after = open_files(pid), open_files_by_kind(pid, peers)
    changed = kind_changes(kinds_before, kinds_after)
    gauges_after = await metrics(client, base_url)
    return Soaked(growth, fds_before, fds_after, gauges_before, gauges_after, crowd.churned, changed)


def service_peers(stack: Stack) -> dict[int, str]:
    """The ports of the database and Redis servers, named, for ``open_files_by_kind``."""
    peers: dict[int, str] = {}
    if stack.postgres is not None:
        peers[stack.postgres.port] = "postgres"
    if stack.redis is not None:
        peers[stack.redis.port] = "redis"
    return peers


async def run(stack: Stack, mode: Mode) -> list[Row]:
    async with World(stack.env) as world:
        leader, *members = await world.members(mode.soak_subscribers + 1)
        room = await world.challenge(leader, members, title="Soak")
    row = Row(
        f"soak {mode.soak_seconds:.0f}s, {mode.soak_subscribers} churning subs ({stack.backend})",
        target=f"RSS < +{TARGET_RSS_GROWTH:.0%}, fds back",
    )
    peers = service_peers(stack)
    bare = stack.start_baseline("bench.baselines.broadcast_ws:create_app")
    app = stack.start_app()
    row.pending = missing(operations(app.graphql_url), NEEDS)
    async with http_client() as client:
        baseline = await soak(
            pid=bare.pid,
            base_url=bare.url,
            ws_url=f"{bare.ws_url}/graphql",
            room=room,
            publish=bare_publisher(client, f"{bare.url}/publish", room),
            subscribers=mode.soak_subscribers,
            seconds=mode.baseline_soak_seconds,
            client=client,
            peers=peers,
        )
        row.baseline = baseline.summary()
        row.notes.append(baseline.detail(f"baseline ({mode.baseline_soak_seconds:.0f}s)"))
        if not row.pending:
            ours = await soak(
                pid=app.pid,
                base_url=app.url,
                ws_url=app.ws_url,
                room=room,
                publish=graphql_publisher(client, app.graphql_url, room),
                subscribers=mode.soak_subscribers,
                seconds=mode.soak_seconds,
                client=client,
                peers=peers,
            )
            row.ours = ours.summary()
            row.notes.append(ours.detail("ours"))
            gauges_back = all(ours.gauges_after.get(k) == v for k, v in ours.gauges_before.items())
            row.met = (
                ours.growth < TARGET_RSS_GROWTH and ours.fds_after <= ours.fds_before + 2 and gauges_back
            )
    bare.stop()
    app.stop()
    return [emit(row)]

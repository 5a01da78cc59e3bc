"""Benchmark 5, soak: steady chat load while subscribers churn (one closes and a new one opens
every CHURN_INTERVAL). Measured from outside the process only: RSS from /proc (growth after
warm-up < 5%), open file descriptors before and after the churn (leaked sockets or tasks holding
them), and any subscription/task gauges ``/metrics`` exposes, when it exists.
The bare baseline runs the same load so the harness is exercised even before "ours" can.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time

import httpx

from bench.fanout import NEEDS, ROOM_EVENTS, Publish, bare_publisher, graphql_publisher
from bench.load import steady
from bench.measure import open_files, open_files_by_kind, rss_bytes
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
) -> tuple[float, int, int, dict[str, float], dict[str, float], int, str]:
    """(RSS growth after warm-up, fds before, fds after, gauges before, gauges after, churned,
    the fds that changed by kind)."""
    variables = {"challengeId": str(room.challenge_id)}
    seats = room.members
    live: list[tuple[_Subscriber, asyncio.Task[None]]] = []

    async def open_one() -> None:
        sub = _Subscriber(Target(ws_url, random.choice(seats).token, ROOM_EVENTS, variables))
        await sub.open()
        live.append((sub, asyncio.create_task(sub.read())))

    async def close_all() -> None:
        while live:
            sub, task = live.pop()
            await sub.close()
            await asyncio.gather(task, return_exceptions=True)
        await asyncio.sleep(1.0)  # let the server notice the disconnects

    churned = 0

    async def churn(until: float) -> None:
        nonlocal churned
        while time.monotonic() < until:
            await asyncio.sleep(CHURN_INTERVAL)
            sub, task = live.pop(random.randrange(len(live)))
            await sub.close()
            await asyncio.gather(task, return_exceptions=True)
            await open_one()
            churned += 1

    # A warm-up round of the same load first, so that lazily opened files and pools are in the
    # "before" count: database files, the publisher's keep-alive connection, and the Redis and
    # database pools, which open connections up to the peak of concurrent commands and keep them
    # (a one-second publish without churn left the Redis pool a few connections short, and the
    # soak reported 34 -> 39 fds that were that pool reaching its working size, not a leak).
    warm_up = min(seconds * WARM_UP_FRACTION, MAX_WARM_UP_SECONDS)
    for _ in range(subscribers):
        await open_one()
    await asyncio.gather(
        churn(time.monotonic() + warm_up), steady(publish, rate=MESSAGE_RATE, duration=warm_up)
    )
    await close_all()
    churned = 0
    fds_before, gauges_before = open_files(pid), await metrics(client, base_url)
    kinds_before = open_files_by_kind(pid, peers)

    for _ in range(subscribers):
        await open_one()
    stop_at = time.monotonic() + seconds
    samples: list[tuple[float, int]] = []

    async def sample() -> None:
        started = time.monotonic()
        while time.monotonic() < stop_at:
            samples.append((time.monotonic() - started, rss_bytes(pid)))
            await asyncio.sleep(0.5)

    await asyncio.gather(churn(stop_at), sample(), steady(publish, rate=MESSAGE_RATE, duration=seconds))
    await close_all()
    warm = [rss for at, rss in samples if at >= seconds * WARM_UP_FRACTION] or [samples[-1][1]]
    growth = (warm[-1] - warm[0]) / warm[0]
    fds_after, kinds_after = open_files(pid), open_files_by_kind(pid, peers)
    changed = ", ".join(
        f"{kind} {kinds_before.get(kind, 0)}->{kinds_after.get(kind, 0)}"
        for kind in sorted(kinds_before.keys() | kinds_after.keys())
        if kinds_before.get(kind, 0) != kinds_after.get(kind, 0)
    )
    return growth, fds_before, fds_after, gauges_before, await metrics(client, base_url), churned, changed


def describe(
    side: str,
    growth: float,
    fds: tuple[int, int],
    gauges: tuple[dict[str, float], dict[str, float]],
    churned: int,
    kinds: str,
) -> str:
    text = f"{side}: RSS growth after warm-up {growth:+.1%}, open fds {fds[0]} -> {fds[1]}"
    text += f" ({kinds})" if kinds else ""
    text += f", {churned} churned"
    changed = {k: (gauges[0].get(k), v) for k, v in gauges[1].items() if gauges[0].get(k) != v}
    return text + (f", /metrics changes {changed}" if changed else ", /metrics: none or unchanged")


async def run(stack: Stack, mode: Mode) -> list[Row]:
    async with World(stack.env) as world:
        leader, *members = await world.members(mode.soak_subscribers + 1)
        room = await world.challenge(leader, members, title="Soak")
    row = Row(
        f"soak {mode.soak_seconds:.0f}s, {mode.soak_subscribers} churning subs ({stack.backend})",
        target=f"RSS < +{TARGET_RSS_GROWTH:.0%}, fds back",
    )
    peers: dict[int, str] = {}
    if stack.postgres is not None:
        peers[stack.postgres.port] = "postgres"
    if stack.redis is not None:
        peers[stack.redis.port] = "redis"
    bare = stack.start_baseline("bench.baselines.broadcast_ws:create_app")
    app = stack.start_app()
    row.pending = missing(operations(app.graphql_url), NEEDS)
    async with httpx.AsyncClient(timeout=30) as client:
        growth, before, after, g0, g1, churned, kinds = await soak(
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
        row.baseline = f"RSS {growth:+.1%}, fds {before}->{after}"
        row.notes.append(
            describe(
                f"baseline ({mode.baseline_soak_seconds:.0f}s)",
                growth,
                (before, after),
                (g0, g1),
                churned,
                kinds,
            )
        )
        if not row.pending:
            growth, before, after, g0, g1, churned, kinds = await soak(
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
            row.ours = f"RSS {growth:+.1%}, fds {before}->{after}"
            row.notes.append(describe("ours", growth, (before, after), (g0, g1), churned, kinds))
            gauges_back = all(g1.get(k) == v for k, v in g0.items())
            row.met = growth < TARGET_RSS_GROWTH and after <= before + 2 and gauges_back
    bare.stop()
    app.stop()
    return [emit(row)]

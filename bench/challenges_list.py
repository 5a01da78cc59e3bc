"""Benchmark 2, the challenges list: 12 challenges with leader, memberships { member } and
viewerRole over HTTP, closed loop; throughput ratio against two baselines, and SQL statements
per request (counted on PostgreSQL from its statement log).

Baselines: ``raw_sql.py`` (the same JSON from two SQL statements + orjson) and
``plain_graphql.py`` (plain graphql-core executing our schema and resolvers).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

from bench.load import LoadResult, Request, closed_loop, graphql_request
from bench.measure import CpuMeter, Latency
from bench.modes import Mode
from bench.probe import missing, operations
from bench.report import Point, Row, emit
from bench.stack import ServerProcess, Stack
from bench.world import Seat, World
from tests.support.servers import AppServer

CHALLENGES = """
query Challenges {
  challenges(first: 12) {
    nodes {
      id title category description startDate dueDate frequency authExplanation
      limitAttendance currentAttendance createdAt
      leader { id nickname }
      memberships { role joinedAt member { id nickname } }
      viewerRole
    }
  }
}
"""
NEEDS = ["Query.challenges"]
ITEMS = 12
MEMBERS_PER_CHALLENGE = 5
TARGET_RAW = 0.20
TARGET_PLAIN = 0.85
TARGET_STATEMENTS = 3
COUNTED_REQUESTS = 20


async def seed(world: World) -> Seat:
    """12 newest challenges, each with a leader and 5 members; the viewer belongs to half."""
    viewer, *others = await world.members(1 + ITEMS * (MEMBERS_PER_CHALLENGE + 1))
    for index in range(ITEMS):
        group = others[index * (MEMBERS_PER_CHALLENGE + 1) : (index + 1) * (MEMBERS_PER_CHALLENGE + 1)]
        members = group[1:] + ([viewer] if index % 2 == 0 else [])
        await world.challenge(group[0], members, title=f"List item {index}", limit=20)
    return viewer


async def load(
    port: int, pid: int, requests: list[Request], mode: Mode, concurrency: int | None = None
) -> tuple[LoadResult, float]:
    """Closed-loop load on one server (``concurrency`` connections, the mode's by default); its
    throughput and its CPU µs per request."""
    meter = CpuMeter([pid])
    meter.start()
    connections = concurrency or mode.http_concurrency
    result = await closed_loop(port, requests, concurrency=connections, duration=mode.http_seconds)
    meter.stop()
    if result.failed:
        raise RuntimeError(f"{result.failed} failed requests, first: {result.first_failure}")
    return result, meter.seconds / max(result.completed, 1) * 1e6


def summary(result: LoadResult, cpu_us: float) -> str:
    return f"{result.per_second:.0f} req/s, {cpu_us:.0f} µs CPU/req"


def detail(side: str, result: LoadResult, cpu_us: float) -> str:
    return f"{side}: {summary(result, cpu_us)}, {Latency.of(result.latencies)}, {result.completed} requests"


async def count_statements(stack: Stack, port: int, request: Request) -> float:
    """Statements the database executed per request (pool resets aside), from PostgreSQL's log."""
    assert stack.postgres is not None
    log = Path(stack.postgres.directory / "log")
    admin = await asyncpg.connect(stack.postgres.url("postgres"))
    try:
        await admin.execute("ALTER SYSTEM SET log_statement = 'all'")
        await admin.execute("SELECT pg_reload_conf()")
        await asyncio.sleep(0.3)
        before = _statements(log)
        for _ in range(COUNTED_REQUESTS):
            await _one(port, request)
        await asyncio.sleep(0.3)
        after = _statements(log)
    finally:
        await admin.execute("ALTER SYSTEM RESET log_statement")
        await admin.execute("SELECT pg_reload_conf()")
        await admin.close()
    return (after - before) / COUNTED_REQUESTS


# asyncpg resets a connection as the pool takes it back; those are not the app's statements.
POOL_RESETS = ("pg_advisory_unlock_all", "CLOSE ALL", "UNLISTEN *", "RESET ALL")


def _statements(log: Path) -> int:
    count = 0
    for line in log.read_text(errors="replace").splitlines():
        logged = "LOG:  execute " in line or "LOG:  statement: " in line
        if logged and not any(reset in line for reset in POOL_RESETS):
            count += 1
    return count


async def _one(port: int, request: Request) -> None:
    from bench.load import Connection, graphql_ok

    connection = await Connection.open(port)
    try:
        status, body = await connection.send(request.encode())
        if not graphql_ok(status, body):
            raise RuntimeError(f"request failed: {status} {body[:300]!r}")
    finally:
        connection.close()


def p99(result: LoadResult) -> float:
    return Latency.of(result.latencies).p99_ms


async def at_level(
    stack: Stack,
    servers: tuple[ServerProcess, AppServer],
    requests: tuple[Request, Request],
    mode: Mode,
    level: int,
) -> Row:
    """The raw-SQL ratio at ``level`` connections (for the plot; the target is at the mode's)."""
    (raw, app), (raw_request, graphql) = servers, requests
    row = Row(f"challenges list vs raw SQL, {level} connections ({stack.backend})")
    base, base_us = await load(raw.port, raw.pid, [raw_request], mode, level)
    ours, ours_us = await load(app.port, app.pid, [graphql], mode, level)
    row.baseline, row.ours = summary(base, base_us), summary(ours, ours_us)
    row.ratio = ours.per_second / base.per_second
    row.point = Point("challenges list", stack.backend, level, row.ratio, p99(ours), p99(base))
    return row


async def run(stack: Stack, mode: Mode) -> list[Row]:
    async with World(stack.env) as world:
        viewer = await seed(world)
    raw = stack.start_baseline("bench.baselines.raw_sql:create_app")
    plain = stack.start_baseline("bench.baselines.plain_graphql:create_app")
    app = stack.start_app()
    pending = missing(operations(app.graphql_url), NEEDS)
    raw_request = Request("/challenges", b"{}", viewer.token)
    graphql = graphql_request("/graphql", CHALLENGES, token=viewer.token)

    raw_row = Row(f"challenges list vs raw SQL ({stack.backend})", target=f">= {TARGET_RAW:.2f}")
    plain_row = Row(
        f"challenges list vs plain graphql-core ({stack.backend})", target=f">= {TARGET_PLAIN:.2f}"
    )
    base, base_us = await load(raw.port, raw.pid, [raw_request], mode)
    raw_row.baseline = summary(base, base_us)
    raw_row.notes.append(detail("raw SQL", base, base_us))
    rows = [raw_row, plain_row]
    if pending:
        raw_row.pending = plain_row.pending = pending
    else:
        plain_result, plain_us = await load(plain.port, plain.pid, [graphql], mode)
        plain_row.baseline = summary(plain_result, plain_us)
        plain_row.notes.append(detail("plain graphql-core", plain_result, plain_us))
        ours, ours_us = await load(app.port, app.pid, [graphql], mode)
        for row in rows:
            row.ours = summary(ours, ours_us)
            row.notes.append(detail("ours", ours, ours_us))
        raw_row.ratio = ours.per_second / base.per_second
        raw_row.met = raw_row.ratio >= TARGET_RAW
        raw_row.point = Point(
            "challenges list", stack.backend, mode.http_concurrency, raw_row.ratio, p99(ours), p99(base)
        )
        plain_row.ratio = ours.per_second / plain_result.per_second
        plain_row.met = plain_row.ratio >= TARGET_PLAIN
        for level in (n for n in mode.http_levels if n != mode.http_concurrency):
            rows.append(await at_level(stack, (raw, app), (raw_request, graphql), mode, level))
    if stack.postgres is not None:
        statements = Row(
            "challenges list SQL statements/request (postgres)", target=f"<= {TARGET_STATEMENTS}"
        )
        statements.baseline = f"{await count_statements(stack, raw.port, raw_request):.1f}"
        if pending:
            statements.pending = pending
        else:
            counted = await count_statements(stack, app.port, graphql)
            statements.ours = f"{counted:.1f}"
            statements.met = counted <= TARGET_STATEMENTS
        rows.append(statements)
    for row in rows:
        emit(row)
    for server in (raw, plain, app):
        server.stop()
    return rows

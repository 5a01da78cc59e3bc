"""Benchmark 3, sendMessage: closed-loop throughput, latency and server CPU per request of the
mutation (one member per connection, no subscribers) against raw INSERT + PUBLISH in
``bench/baselines/raw_sql.py``, at the mode's concurrency and at each of its ``http_levels``.

Two rows at the mode's concurrency: throughput against the baseline, and our server CPU per
request against its absolute target (the baseline's CPU per request beside it, same run)."""

from __future__ import annotations

import orjson

from bench.challenges_list import detail, load, summary
from bench.load import LoadResult, Request, graphql_request
from bench.measure import Latency
from bench.modes import Mode
from bench.probe import missing, operations
from bench.report import Point, Row, emit
from bench.stack import Stack
from bench.world import World

SEND_MESSAGE = """
mutation SendMessage($challengeId: ID!, $body: String!) {
  sendMessage(challengeId: $challengeId, body: $body) { id cursor body createdAt sender { id nickname } }
}
"""
NEEDS = ["Mutation.sendMessage"]
TARGET = 0.30
# Server CPU per sendMessage (issue 18), by back end.
TARGET_CPU_MS = {"sqlite": 1.5, "postgres": 2.0}
BODY = "A benchmark message of an ordinary length, about seventy characters."


def p99(result: LoadResult) -> float:
    return Latency.of(result.latencies).p99_ms


async def run(stack: Stack, mode: Mode) -> list[Row]:
    levels = sorted({*mode.http_levels, mode.http_concurrency})
    async with World(stack.env) as world:
        leader, *members = await world.members(max(levels) + 1)
        room = await world.challenge(leader, members, title="sendMessage bench")
    raw = stack.start_baseline("bench.baselines.raw_sql:create_app")
    app = stack.start_app()
    pending = missing(operations(app.graphql_url), NEEDS)
    raw_body = orjson.dumps({"roomId": room.room_id, "challengeId": room.challenge_id, "body": BODY})
    rows = []
    for level in levels:
        seats = members[:level]
        standard = level == mode.http_concurrency
        name = "sendMessage throughput" if standard else f"sendMessage throughput, {level} connections"
        row = Row(f"{name} ({stack.backend})", target=f">= {TARGET:.2f}" if standard else "-")
        cpu_row = Row(
            f"sendMessage server CPU/request ({stack.backend})",
            target=f"<= {TARGET_CPU_MS[stack.backend]:.1f} ms",
        )
        base, base_us = await load(
            raw.port, raw.pid, [Request("/send", raw_body, s.token) for s in seats], mode
        )
        row.baseline = summary(base, base_us)
        cpu_row.baseline = f"{base_us / 1000:.2f} ms (raw INSERT + PUBLISH)"
        row.notes.append(detail(f"raw INSERT + PUBLISH, {level} connections", base, base_us))
        if pending:
            row.pending = cpu_row.pending = pending
        else:
            variables = {"challengeId": str(room.challenge_id), "body": BODY}
            requests = [graphql_request("/graphql", SEND_MESSAGE, variables, s.token) for s in seats]
            ours, ours_us = await load(app.port, app.pid, requests, mode)
            row.ours = summary(ours, ours_us)
            row.notes.append(detail(f"ours, {level} connections", ours, ours_us))
            row.ratio = ours.per_second / base.per_second
            if standard:
                row.met = row.ratio >= TARGET
            row.point = Point("sendMessage", stack.backend, level, row.ratio, p99(ours), p99(base))
            cpu_row.ours = f"{ours_us / 1000:.2f} ms"
            cpu_row.ratio = base_us / ours_us
            cpu_row.met = ours_us / 1000 <= TARGET_CPU_MS[stack.backend]
        rows.append(emit(row))
        if standard:
            rows.append(emit(cpu_row))
    raw.stop()
    app.stop()
    return rows

"""Benchmark 3, sendMessage: closed-loop throughput and latency of the mutation (one member per
connection, no subscribers) against raw INSERT + PUBLISH in ``bench/baselines/raw_sql.py``."""

from __future__ import annotations

import orjson

from bench.challenges_list import detail, load, summary
from bench.load import Request, graphql_request
from bench.modes import Mode
from bench.probe import missing, operations
from bench.report import Row, emit
from bench.stack import Stack
from bench.world import World

SEND_MESSAGE = """
mutation SendMessage($challengeId: ID!, $body: String!) {
  sendMessage(challengeId: $challengeId, body: $body) { id cursor body createdAt sender { id nickname } }
}
"""
NEEDS = ["Mutation.sendMessage"]
TARGET = 0.30
BODY = "A benchmark message of an ordinary length, about seventy characters."


async def run(stack: Stack, mode: Mode) -> list[Row]:
    async with World(stack.env) as world:
        leader, *members = await world.members(mode.http_concurrency + 1)
        room = await world.challenge(leader, members, title="sendMessage bench")
    raw = stack.start_baseline("bench.baselines.raw_sql:create_app")
    app = stack.start_app()
    pending = missing(operations(app.graphql_url), NEEDS)
    row = Row(f"sendMessage throughput ({stack.backend})", target=f">= {TARGET:.2f}")

    raw_body = orjson.dumps({"roomId": room.room_id, "challengeId": room.challenge_id, "body": BODY})
    raw_requests = [Request("/send", raw_body, seat.token) for seat in members]
    base, base_us = await load(raw.port, raw.pid, raw_requests, mode)
    row.baseline = summary(base, base_us)
    row.notes.append(detail("raw INSERT + PUBLISH", base, base_us))
    if pending:
        row.pending = pending
    else:
        requests = [
            graphql_request(
                "/graphql", SEND_MESSAGE, {"challengeId": str(room.challenge_id), "body": BODY}, seat.token
            )
            for seat in members
        ]
        ours, ours_us = await load(app.port, app.pid, requests, mode)
        row.ours = summary(ours, ours_us)
        row.notes.append(detail("ours", ours, ours_us))
        row.ratio = ours.per_second / base.per_second
        row.met = row.ratio >= TARGET
    raw.stop()
    app.stop()
    return [emit(row)]

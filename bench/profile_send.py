"""Where a sendMessage's CPU goes: each component of the request timed on its own, in one process.

``python -m bench.profile_send [--backend sqlite|postgres] [--rounds N]`` prints one row per
component: process CPU µs per call (every thread, the aiosqlite worker included), median of
three alternated passes of ``--rounds`` calls each. The whole mutation through the schema is the
last row; what it costs beyond the sum of the parts is GraphQL execution. The HTTP layer (the
rest of a request: parsing, middleware, response) is what the ``send`` benchmark's CPU per
request adds on top of the ``mutation`` row.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import io
import logging
import statistics
import sys
import time
from collections.abc import Awaitable, Callable

from starlette.requests import Request

from bench.stack import Stack
from bench.world import World
from events.room import RoomEventPayload, RoomEventType
from infra.logging import JsonFormatter
from infra.sessions import authenticate
from infra.settings import Settings
from infra.tokens import decode_access_token
from infra.viewer import Viewer
from resolvers.chat import log as room_log
from resolvers.chat import mutations
from schema.context import Context
from schema.root import build_schema
from web.services import build_runtime

SEND_MESSAGE = """
mutation SendMessage($challengeId: ID!, $body: String!) {
  sendMessage(challengeId: $challengeId, body: $body) { id cursor body createdAt sender { id nickname } }
}
"""
BODY = "A benchmark message of an ordinary length, about seventy characters."
Step = Callable[[], Awaitable[object]]


async def timed(step: Step, rounds: int) -> float:
    """Process CPU µs per call of ``step``."""
    started = time.process_time()
    for _ in range(rounds):
        await step()
    return (time.process_time() - started) / rounds * 1e6


def log_line() -> Step:
    logger = logging.Logger("bench.profile")
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)

    async def one() -> None:
        extra = {"method": "POST", "path": "/graphql", "status": 200, "duration_ms": 1.0}
        logger.info("http request", extra=extra)

    return one


async def profile(stack: Stack, rounds: int) -> dict[str, float]:
    async with World(stack.env) as world:
        leader, *members = await world.members(2)
        room = await world.challenge(leader, members, title="profile")
    settings = Settings(**stack.env)  # type: ignore[arg-type]
    runtime = build_runtime(settings)
    await runtime.open(background=False)
    services = runtime.services
    schema = build_schema(settings)
    try:
        viewer = decode_access_token(leader.token, settings)
        request = Request({"type": "http", "headers": [], "method": "POST", "path": "/graphql"})
        variables = {"challengeId": str(room.challenge_id), "body": BODY}
        event = RoomEventPayload(
            type=RoomEventType.JOIN, challenge_id=room.challenge_id, at=services.clock.now()
        )
        steps = _steps(
            services, schema, runtime, leader.token, viewer, room.challenge_id, request, variables, event
        )
        results: dict[str, list[float]] = {name: [] for name in steps}
        # As the server runs (web/app.py): start-up objects frozen, its generation-0 threshold.
        gc.collect()
        gc.freeze()
        gc.set_threshold(settings.gc_threshold, 20, 50)
        for _ in range(3):
            for name, step in steps.items():
                await timed(step, max(rounds // 10, 5))  # warm
                results[name].append(await timed(step, rounds))
        return {name: statistics.median(values) for name, values in results.items()}
    finally:
        await runtime.close()


def _steps(
    services: object,
    schema: object,
    runtime: object,
    token: str,
    viewer: Viewer,
    challenge_id: int,
    request: Request,
    variables: dict[str, object],
    event: RoomEventPayload,
) -> dict[str, Step]:
    from infra.services import Services
    from schema.root import Schema
    from web.services import Runtime

    assert isinstance(services, Services) and isinstance(schema, Schema) and isinstance(runtime, Runtime)
    values = {
        "sender_id": viewer.id,
        "body": BODY,
        "client_message_id": None,
        "created_at": services.clock.now(),
    }

    async def mutation() -> object:
        context = Context(services=services, bus=runtime.bus, request=request, viewer=viewer)
        result = await schema.execute(SEND_MESSAGE, variable_values=variables, context_value=context)
        assert not result.errors, result.errors
        return result

    return {
        "token check (JWT + session)": lambda: authenticate(
            token, settings=services.settings, sessions=services.sessions
        ),
        "membership + sender read": lambda: mutations._sender(viewer, challenge_id),
        "rate limiter": lambda: services.limiter.hit(
            f"profile:{viewer.id}", services.settings.limit_send_message
        ),
        "seq + INSERT (write path)": lambda: room_log.append(
            challenge_id=challenge_id,
            table="message",
            values=values,
            at=services.clock.now(),
            member_id=viewer.id,
        ),
        "presence read + PUBLISH": lambda: mutations.publish(services, event),
        "one JSON log line": log_line(),
        "mutation through the schema": mutation,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_send", description=__doc__)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args(argv)
    with Stack(args.backend) as stack:
        figures = asyncio.run(profile(stack, args.rounds))
    parts = sum(
        v
        for k, v in figures.items()
        if k not in {"mutation through the schema", "one JSON log line", "token check (JWT + session)"}
    )
    print(f"sendMessage components ({args.backend}), process CPU µs per call, median of 3 passes")
    for name, value in figures.items():
        print(f"  {name:<32} {value:8.0f}")
    print(f"  {'GraphQL execution (the rest)':<32} {figures['mutation through the schema'] - parts:8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

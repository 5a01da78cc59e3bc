"""With OTEL_EXPORTER_OTLP_ENDPOINT set, one sendMessage is one trace: the HTTP request, the
GraphQL operation and resolver, and the PostgreSQL and Redis calls under them; the JSON log
lines of that request carry its trace id."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import redis.asyncio
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from starlette.applications import Starlette

from schema.root import Schema
from tests.conftest import postgres_only
from tests.deploy.otlp_receiver import OtlpReceiver, ReceivedSpan, spans_of
from tests.support.factories import make_account, make_challenge
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer
from web.app import create_app

SEND_MESSAGE = """
mutation Send($challengeId: ID!, $body: String!) {
  sendMessage(challengeId: $challengeId, body: $body) { id }
}
"""
SECRET_BODY = "a body that must not appear in a span"


async def _trace_with(receiver: OtlpReceiver, span_name: str, within: float = 15.0) -> list[ReceivedSpan]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for trace in receiver.traces().values():
            if any(span.name == span_name for span in trace) and any("redis" in span.scope for span in trace):
                return trace
        await asyncio.sleep(0.2)
    raise AssertionError(f"no trace with {span_name}: {[s.name for s in receiver.spans]}")


@postgres_only
async def test_send_message_is_one_trace_with_graphql_database_and_redis_spans(
    start_app: Callable[..., AppServer], settings: Any
) -> None:
    leader = await make_account(settings)
    challenge = await make_challenge(leader)
    with OtlpReceiver() as receiver:
        # given an instance exporting its traces to a local OTLP receiver
        node = start_app(
            OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY="100", LOG_LEVEL="INFO"
        )

        # when a member sends a message
        async with GraphQLClient(node.url, token=leader.token) as client:
            sent = await client.execute(SEND_MESSAGE, {"challengeId": str(challenge.id), "body": SECRET_BODY})
        assert sent.ok()["sendMessage"]["id"]

        # then one trace holds the request, the operation, the resolver, SQL and the publish
        trace = await _trace_with(receiver, "GraphQL Resolving: sendMessage")
    names = {span.name for span in trace}
    assert "POST /graphql" in names
    assert any(name.startswith("GraphQL Query") for name in names)
    assert {span.attributes.get("db.system") for span in spans_of(trace, "asyncpg")} == {"postgresql"}
    assert "PUBLISH" in {span.name for span in spans_of(trace, "redis")}
    resolver = next(span for span in trace if span.name == "GraphQL Resolving: sendMessage")
    assert resolver.attributes["graphql.param.challengeId"] == str(challenge.id)
    assert SECRET_BODY not in json.dumps([span.attributes for span in trace])

    # and the request's log lines carry the trace id
    lines = [json.loads(line) for line in node.log().splitlines() if line.startswith("{")]
    operation = [line for line in lines if line.get("operation") == "sendMessage"]
    assert operation and operation[0]["trace_id"] == trace[0].trace_id


def test_tracing_off_installs_nothing(settings: Any) -> None:
    # given the suite's settings, without an OTLP endpoint
    assert not settings.otel_exporter_otlp_endpoint

    # when the app is built
    app = create_app(settings)

    # then no middleware, no schema extension and no client patch is there
    assert all(m.cls is not OpenTelemetryMiddleware for m in app.user_middleware)
    assert not hasattr(asyncpg.connection.Connection.execute, "__wrapped__")
    assert not hasattr(redis.asyncio.Redis.execute_command, "__wrapped__")
    assert not any("TracedOperation" in repr(extension) for extension in _schema(app).extensions)


def _schema(app: Starlette) -> Schema:
    view = next(route.endpoint for route in app.routes if getattr(route, "path", "") == "/graphql")
    return view.schema  # type: ignore[attr-defined,no-any-return]

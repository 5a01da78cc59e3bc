"""OpenTelemetry tracing, exported over OTLP/HTTP to ``OTEL_EXPORTER_OTLP_ENDPOINT``.

When the endpoint is unset nothing here runs: no middleware, no schema extension, no patched
client, so tracing off costs nothing. When set, one request is one trace: the ASGI server span,
strawberry's operation and resolver spans under it, and the asyncpg and Redis calls those
resolvers make. The JSON logs carry the trace id (``infra/logging.py``).
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from functools import partial
from typing import Any

from graphql import GraphQLResolveInfo
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from starlette.middleware import Middleware
from strawberry.extensions import LifecycleStep
from strawberry.extensions.tracing import OpenTelemetryExtension

from infra.settings import Settings
from schema.marks import is_sensitive
from schema.redaction import REDACTED
from schema.root import Schema

# GraphQL string and block string literals: a document may carry a password inline.
STRING_LITERAL = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|"(?:[^"\\\n]|\\.)*"')
UNTRACED_PATHS = "/health$,/ready$,/metrics$"


def masked(document: str) -> str:
    return STRING_LITERAL.sub('"…"', document)


def redacted_arguments(arguments: dict[str, Any], info: GraphQLResolveInfo[Any]) -> dict[str, Any]:
    """Ids, numbers and flags as they are; arguments the schema marks sensitive redacted, and any
    other text (a message body, a title, an input object) masked: members' words do not belong
    in a tracing backend."""
    definitions = info.parent_type.fields[info.field_name].args
    shown: dict[str, Any] = {}
    for name, value in arguments.items():
        definition = definitions.get(name)
        if definition is not None and is_sensitive(definition):
            shown[name] = REDACTED
        elif value is None or isinstance(value, int | float) or name.lower().endswith(("id", "ids")):
            shown[name] = value
        else:
            shown[name] = "…"
    return shown


class TracedOperation(OpenTelemetryExtension):
    """strawberry's spans, with the document's string literals and the arguments' text masked."""

    def __init__(self, *, tracer_provider: TracerProvider, **kwargs: Any) -> None:
        super().__init__(arg_filter=redacted_arguments, tracer_provider=tracer_provider, **kwargs)

    def on_operation(self) -> Iterator[None]:  # type: ignore[override]
        steps = super().on_operation()
        next(steps)
        query = self.execution_context.query
        if query:
            self._span_holder[LifecycleStep.OPERATION].set_attribute("query", masked(query))
        yield
        with contextlib.suppress(StopIteration):
            next(steps)


class Tracing:
    """One process's tracer provider and everything instrumented with it."""

    def __init__(self, settings: Settings, version: str) -> None:
        resource = Resource.create({"service.name": settings.otel_service_name, "service.version": version})
        self.provider = TracerProvider(resource=resource)
        endpoint = settings.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces"
        self.provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
        AsyncPGInstrumentor().instrument(tracer_provider=self.provider)  # type: ignore[no-untyped-call]
        RedisInstrumentor().instrument(tracer_provider=self.provider)

    def middleware(self) -> Middleware:
        """The outermost middleware: a server span per HTTP request and per WebSocket (without a
        span per frame sent or received)."""
        return Middleware(
            OpenTelemetryMiddleware,
            tracer_provider=self.provider,
            excluded_urls=UNTRACED_PATHS,
            exclude_spans=["receive", "send"],
        )

    def instrument(self, schema: Schema) -> None:
        # The schema is built by schema/; its extensions are a tuple read per operation.
        schema.extensions = (*schema.extensions, partial(TracedOperation, tracer_provider=self.provider))

    def close(self) -> None:
        AsyncPGInstrumentor().uninstrument()  # type: ignore[no-untyped-call]
        RedisInstrumentor().uninstrument()
        self.provider.shutdown()  # exports what is still buffered


def build_tracing(settings: Settings, version: str) -> Tracing | None:
    return Tracing(settings, version) if settings.otel_exporter_otlp_endpoint else None

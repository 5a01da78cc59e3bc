"""Prometheus metrics of one process, served at ``/metrics``.

Each app gets its own registry (several apps may live in one test process). Counters that
other services already keep (the limiter's refusals, the bus's reconnects and events) are read
at scrape time by a collector instead of being mirrored, so they can never drift.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from infra.services import Services

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _ServiceCounters(Collector):
    def __init__(self, services: Services) -> None:
        self.services = services

    def collect(self) -> Iterator[Metric]:
        bus = self.services.bus
        for name, attribute, help_text in (
            ("eroom_bus_reconnects", "reconnects", "Reconnections of the event bus to its broker."),
            ("eroom_bus_events_published", "published", "Events published on the bus."),
            ("eroom_bus_events_delivered", "delivered", "Events delivered to subscribers."),
        ):
            family = CounterMetricFamily(name, help_text)
            family.add_metric([], float(getattr(bus, attribute)))
            yield family
        refused = CounterMetricFamily("eroom_rate_limit_refused", "Operations refused by a rate limit.")
        refused.add_metric([], float(self.services.limiter.hits_refused))
        yield refused


class Metrics:
    def __init__(self, services: Services) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.operations = Counter(
            "eroom_operations",
            "GraphQL operations by root field(s), type and outcome (ok or the error code).",
            ["operation", "type", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "eroom_operation_duration_seconds",
            "Time to resolve a query or mutation (subscriptions: time to set up).",
            ["operation", "type"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.http_requests = Counter(
            "eroom_http_requests",
            "HTTP requests by method and status.",
            ["method", "status"],
            registry=self.registry,
        )
        self.websockets = Gauge(
            "eroom_websockets_open", "Open WebSocket connections.", registry=self.registry
        )
        self.subscriptions = Gauge(
            "eroom_subscriptions_active", "Running GraphQL subscriptions.", registry=self.registry
        )
        self.registry.register(_ServiceCounters(services))

    async def endpoint(self, request: Request) -> Response:
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE)

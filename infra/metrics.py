"""Prometheus metrics of one process (served at ``/metrics`` by the web layer).

Each app gets its own registry (several apps may live in one test process). Counters that
other services already keep (the limiter's refusals, the bus's reconnects and events) are read
at scrape time (:meth:`Metrics.read_counter`) instead of being mirrored, so they can never drift.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

CounterSource = Callable[[], Mapping[tuple[str, ...], float]]
Family = type[CounterMetricFamily] | type[GaugeMetricFamily]


class _ReadMetric(Collector):
    """A counter or gauge whose values some service keeps; read when Prometheus scrapes."""

    def __init__(
        self, family: Family, name: str, documentation: str, labels: Sequence[str], read: CounterSource
    ) -> None:
        self.family, self.name, self.documentation = family, name, documentation
        self.labels, self.read = list(labels), read

    def collect(self) -> Iterator[Metric]:
        family = self.family(self.name, self.documentation, labels=self.labels)
        for values, count in self.read().items():
            family.add_metric(list(values), float(count))
        yield family


class Metrics:
    def __init__(self, version: str = "") -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        # eroom_build_info{version="..."} 1: which release each instance runs, during a rollout
        Info("eroom_build", "The running release.", registry=self.registry).info({"version": version})
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
        self.ready = Gauge(
            "eroom_ready",
            "1 when the instance would answer /ready with 200 (checked at each scrape), else 0.",
            registry=self.registry,
        )

    def read_counter(
        self, name: str, documentation: str, read: CounterSource, labels: Sequence[str] = ()
    ) -> None:
        """Export a counter kept elsewhere: ``read`` maps label values to the current count."""
        self.registry.register(_ReadMetric(CounterMetricFamily, name, documentation, labels, read))

    def read_gauge(
        self, name: str, documentation: str, read: CounterSource, labels: Sequence[str] = ()
    ) -> None:
        """Export a gauge kept elsewhere (a pool's size), read at scrape time like counters."""
        self.registry.register(_ReadMetric(GaugeMetricFamily, name, documentation, labels, read))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

"""How big and how long each benchmark runs: ``tiny`` (the test suite), ``quick`` (default), ``full``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mode:
    name: str
    fanout_sizes: tuple[int, ...]
    fanout_seconds: float
    deliveries_per_second: int  # offered fan-out load: message rate = this / subscribers
    max_message_rate: float
    http_seconds: float
    http_concurrency: int
    storm_subscribers: int
    storm_seconds: float
    soak_seconds: float
    soak_subscribers: int
    baseline_soak_seconds: float
    cluster_subscribers: int = 500  # connected through the same entry point as the load
    cluster_instances: tuple[int, ...] = (1, 2, 4)  # 1 is measured direct and behind nginx
    # Concurrent connections the HTTP benchmarks also run at, for their plots (beside http_concurrency).
    http_levels: tuple[int, ...] = ()


MODES = {
    "tiny": Mode("tiny", (1, 5), 1.0, 500, 20, 1.0, 4, 5, 2.0, 3.0, 4, 2.0, 10, (1, 2)),
    "quick": Mode(
        "quick", (1, 100, 500), 4.0, 4000, 50, 3.0, 8, 50, 6.0, 30.0, 20, 8.0, 100, (1, 2, 4), (1,)
    ),
    "full": Mode(
        "full", (1, 100, 500), 20.0, 4000, 50, 10.0, 16, 500, 20.0, 600.0, 100, 60.0, 500, (1, 2, 4), (1, 4)
    ),
}

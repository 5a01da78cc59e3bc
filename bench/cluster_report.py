"""The cluster benchmark's results: table rows (ratio against 1 instance direct) and a PNG plot."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.report import Row


@dataclass(frozen=True)
class Figures:
    topology: str
    instances: int
    phase: str
    per_second: float
    p50_ms: float
    p99_ms: float
    cpu_us: float  # CPU of every server process (instances + nginx) per request
    deliveries_per_second: float
    failed: int

    def summary(self) -> str:
        text = (
            f"{self.per_second:.0f} req/s, p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, "
            f"{self.cpu_us:.0f} µs CPU/req"
        )
        if self.deliveries_per_second:
            text += f", {self.deliveries_per_second:.0f} deliveries/s"
        return text + (f", {self.failed} failed" if self.failed else "")


def rows(figures: list[Figures]) -> list[Row]:
    """One row per topology and phase; ratio = throughput ÷ 1 instance direct (same phase).
    Per-instance efficiency = throughput ÷ (instances × 1 behind nginx)."""
    found = []
    for item in figures:
        direct = next(f for f in figures if f.phase == item.phase and f.topology == "1 direct")
        one = next((f for f in figures if f.phase == item.phase and f.topology == "1 behind nginx"), direct)
        row = Row(f"cluster {item.topology}: {item.phase}", ours=item.summary(), baseline=direct.summary())
        row.ratio = item.per_second / direct.per_second if direct.per_second else None
        efficiency = item.per_second / (item.instances * one.per_second) if one.per_second else 0.0
        row.notes.append(f"per-instance efficiency {efficiency:.0%} (vs 1 behind nginx)")
        if item.failed:
            row.notes.append(f"{item.failed} requests failed")
        found.append(row)
    return found


def plot(figures: list[Figures], path: str, mode: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    phases = sorted({f.phase for f in figures})
    topologies = list(dict.fromkeys(f.topology for f in figures))
    figure, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    width = 0.8 / len(phases)
    for index, phase in enumerate(phases):
        values = {f.topology: f for f in figures if f.phase == phase}
        positions = [i + index * width for i in range(len(topologies))]
        for axis, metric in zip(axes, ("per_second", "p99_ms", "cpu_us"), strict=True):
            axis.bar(positions, [getattr(values[t], metric) for t in topologies], width, label=phase)
    titles = ("throughput (req/s)", "p99 latency (ms)", "server CPU per request (µs)")
    for axis, title in zip(axes, titles, strict=True):
        axis.set_title(title)
        axis.set_xticks([i + width * (len(phases) - 1) / 2 for i in range(len(topologies))])
        axis.set_xticklabels(topologies, rotation=15)
        axis.legend(fontsize=8)
    figure.suptitle(f"E-room cluster benchmark ({mode} mode, 2-core machine, PostgreSQL + Redis)")
    figure.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)

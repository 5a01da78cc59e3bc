"""One PNG per benchmark: the ratio against its bare baseline and the p99 latency, against N."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from bench.report import Point


def slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")


def plot_all(points: list[Point], directory: str, mode: str) -> list[Path]:
    """Write ``<directory>/bench-<benchmark>.png`` for each benchmark with points; their paths."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    by_benchmark: dict[str, list[Point]] = defaultdict(list)
    for point in points:
        by_benchmark[point.benchmark].append(point)
    written = []
    for benchmark, found in by_benchmark.items():
        figure, (ratio_axis, p99_axis) = plt.subplots(1, 2, figsize=(11, 4))
        for backend in sorted({p.backend for p in found}):
            series = sorted((p for p in found if p.backend == backend), key=lambda p: p.n)
            ns = [p.n for p in series]
            ratio_axis.plot(ns, [p.ratio for p in series], marker="o", label=backend)
            p99_axis.plot(ns, [p.p99_ms for p in series], marker="o", label=f"ours, {backend}")
            p99_axis.plot(
                ns, [p.baseline_p99_ms for p in series], marker="x", ls="--", label=f"bare, {backend}"
            )
        unit = "subscribers" if benchmark == "fan-out" else "concurrent connections"
        ratio_axis.set_title(f"{benchmark}: ratio against the bare baseline")
        p99_axis.set_title(f"{benchmark}: p99 latency (ms)")
        for axis in (ratio_axis, p99_axis):
            axis.set_xlabel(f"N ({unit})")
            axis.grid(alpha=0.3)
            axis.legend(fontsize=8)
        ns = [p.n for p in found]
        if max(ns) >= 20 * min(ns):
            for axis in (ratio_axis, p99_axis):
                axis.set_xscale("log")
        ratio_axis.set_ylim(bottom=0)
        p99_axis.set_ylim(bottom=0)
        figure.suptitle(f"E-room {benchmark} ({mode} mode, 2-core machine)")
        figure.tight_layout()
        path = Path(directory) / f"bench-{slug(benchmark)}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, dpi=90)
        plt.close(figure)
        written.append(path)
    return written

"""The result table: one row per benchmark case, ratio against its baseline, target met or not."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Point:
    """One measured size of a benchmark, for its plot: ratio and p99 against N."""

    benchmark: str  # the plot it belongs to ("fan-out", "sendMessage", ...)
    backend: str
    n: int  # subscribers, or concurrent connections for the HTTP benchmarks
    ratio: float
    p99_ms: float
    baseline_p99_ms: float


@dataclass
class Row:
    benchmark: str
    ours: str = "-"
    baseline: str = "-"
    ratio: float | None = None
    target: str = "-"
    met: bool | None = None
    pending: str | None = None  # why "ours" did not run (an operation missing from the schema)
    notes: list[str] = field(default_factory=list)
    point: Point | None = None

    @property
    def verdict(self) -> str:
        if self.pending:
            return "pending"
        if self.met is None:
            return "-"
        return "met" if self.met else "not met"

    def line(self) -> str:
        """The one-line summary each benchmark prints as soon as it has a result."""
        ratio = f"{self.ratio:.2f}" if self.ratio is not None else "-"
        text = f"[bench] {self.benchmark}: ours={self.ours} baseline={self.baseline} ratio={ratio}"
        text += f" target={self.target} -> {self.verdict}"
        if self.pending:
            text += f" (pending: {self.pending})"
        return text


def emit(row: Row) -> Row:
    print(row.line(), flush=True)
    for note in row.notes:
        print(f"        {note}", flush=True)
    return row


def table(rows: list[Row]) -> str:
    headers = ["benchmark", "ours", "baseline", "ratio", "target", "result"]
    cells = [
        [
            row.benchmark,
            row.ours if not row.pending else f"pending: {row.pending}",
            row.baseline,
            f"{row.ratio:.2f}" if row.ratio is not None else "-",
            row.target,
            row.verdict,
        ]
        for row in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(headers)]
    lines = [
        " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)),
        "-+-".join("-" * w for w in widths),
    ]
    lines += [" | ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)) for cell in cells]
    return "\n".join(lines)


def print_table(rows: list[Row]) -> None:
    sys.stdout.write("\n" + table(rows) + "\n")
    sys.stdout.flush()

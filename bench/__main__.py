"""``python -m bench [--full | --tiny] [--backend sqlite|postgres|both] [--only NAME ...] [--plot PNG]``.

Prints one ``[bench]`` line per case as it finishes, then the table of ratios and targets. The
cluster benchmark runs once per run, always on PostgreSQL + Redis (its own), whatever --backend.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import gc
import sys
import time
from collections.abc import Awaitable, Callable

from bench import challenges_list, cluster, fanout, reconnect, send_message, soak
from bench.modes import MODES, Mode
from bench.plots import plot_all
from bench.report import Row, print_table
from bench.stack import Stack

Benchmark = Callable[[Stack, Mode], Awaitable[list[Row]]]
BENCHMARKS: dict[str, Benchmark] = {
    "fanout": fanout.run,
    "challenges": challenges_list.run,
    "send": send_message.run,
    "reconnect": reconnect.run,
    "soak": soak.run,
}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--full", action="store_true", help="the sizes and durations of docs/PERFORMANCE.md")
    size.add_argument("--tiny", action="store_true", help="seconds-long runs, for the test suite")
    parser.add_argument(
        "--backend",
        choices=["sqlite", "postgres", "both"],
        default=None,
        help="default: sqlite in quick mode, both in full mode",
    )
    parser.add_argument(
        "--only", action="append", choices=sorted([*BENCHMARKS, "cluster"]), help="repeatable"
    )
    parser.add_argument("--plot", default="var/bench/cluster.png", help="the cluster benchmark's PNG")
    parser.add_argument(
        "--plot-dir", default="var/bench", help="where bench-<name>.png (ratio and p99 against N) go"
    )
    parser.add_argument(
        "--app-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting of our app for this run (e.g. GC_THRESHOLD=5000), repeatable",
    )
    parser.add_argument("--fanout-sizes", help="subscriber counts of the fan-out, e.g. 100,500")
    parser.add_argument(
        "--client-deflate", action="store_true", help="WebSocket clients offer permessage-deflate"
    )
    return parser.parse_args(argv)


async def run_all(
    mode: Mode, backends: list[str], names: list[str], plot: str, args: argparse.Namespace
) -> list[Row]:
    rows: list[Row] = []
    app_env = dict(item.split("=", 1) for item in args.app_env)
    for backend in backends:
        with Stack(backend, app_env, client_deflate=args.client_deflate) as stack:
            for name in (n for n in names if n in BENCHMARKS):
                started = time.monotonic()
                print(f"[bench] running {name} on {backend} ({mode.name})", flush=True)
                rows.extend(await BENCHMARKS[name](stack, mode))
                print(f"[bench] {name} on {backend} took {time.monotonic() - started:.1f}s", flush=True)
    if "cluster" in names:
        started = time.monotonic()
        print(f"[bench] running cluster on postgres ({mode.name})", flush=True)
        with Stack("postgres") as stack:
            rows.extend(await cluster.run(stack, mode, plot))
        print(f"[bench] cluster on postgres took {time.monotonic() - started:.1f}s", flush=True)
    return rows


def main(argv: list[str]) -> int:
    args = parse(argv)
    mode = MODES["full" if args.full else "tiny" if args.tiny else "quick"]
    backend = args.backend or ("both" if args.full else "sqlite")
    backends = ["sqlite", "postgres"] if backend == "both" else [backend]
    names = args.only or [*BENCHMARKS, "cluster"]
    gc.disable()  # the load generators' own pauses would show up as server latency
    started = time.monotonic()
    if args.fanout_sizes:
        mode = dataclasses.replace(mode, fanout_sizes=tuple(int(n) for n in args.fanout_sizes.split(",")))
    rows = asyncio.run(run_all(mode, backends, names, args.plot, args))
    print_table(rows)
    points = [row.point for row in rows if row.point is not None]
    if points:
        for path in plot_all(points, args.plot_dir, mode.name):
            print(f"[bench] plot: {path}", flush=True)
    print(f"\n{mode.name} mode, {', '.join(backends)}: {time.monotonic() - started:.0f}s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""``python -m bench [--full | --tiny] [--backend sqlite|postgres|both] [--only NAME ...] [--plot PNG]``.

Prints one ``[bench]`` line per case as it finishes, then the table of ratios and targets. The
cluster benchmark runs once per run, always on PostgreSQL + Redis (its own), whatever --backend.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
from collections.abc import Awaitable, Callable

from bench import challenges_list, cluster, fanout, reconnect, send_message, soak
from bench.modes import MODES, Mode
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
    return parser.parse_args(argv)


async def run_all(mode: Mode, backends: list[str], names: list[str], plot: str) -> list[Row]:
    rows: list[Row] = []
    for backend in backends:
        with Stack(backend) as stack:
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
    rows = asyncio.run(run_all(mode, backends, names, args.plot))
    print_table(rows)
    print(f"\n{mode.name} mode, {', '.join(backends)}: {time.monotonic() - started:.0f}s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

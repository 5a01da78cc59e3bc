"""What a benchmark measures from outside a server process: CPU, RSS, open files, latency."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import httpx

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), from /proc/<pid>/stat."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    # The command name may hold spaces; the fields after the closing parenthesis are fixed.
    fields = raw[raw.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


class CpuMeter:
    """CPU used by a set of processes between ``start()`` and ``stop()``."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self._start = 0.0
        self.seconds = 0.0

    def _total(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids)

    def start(self) -> None:
        self._start = self._total()

    def stop(self) -> float:
        self.seconds = self._total() - self._start
        return self.seconds


async def until_idle(
    pids: list[int], *, busy_below: float = 0.15, window: float = 0.5, limit: float = 180.0
) -> float:
    """Wait until the processes use less than ``busy_below`` of a core over ``window`` seconds
    (e.g. 500 fresh subscribers' JOIN announcements, 500 x 500 deliveries, drained), at most
    ``limit`` seconds; the seconds waited."""
    import asyncio
    import time

    started = time.monotonic()
    while time.monotonic() - started < limit:
        before = sum(cpu_seconds(pid) for pid in pids)
        await asyncio.sleep(window)
        if (sum(cpu_seconds(pid) for pid in pids) - before) / window < busy_below:
            break
    return time.monotonic() - started


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p99_ms: float
    samples: int

    @classmethod
    def of(cls, seconds: list[float]) -> Latency:
        return cls(percentile(seconds, 0.50) * 1000, percentile(seconds, 0.99) * 1000, len(seconds))

    def __str__(self) -> str:
        return f"p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms"


def _socket_ports(pid: int) -> dict[str, tuple[int, int]]:
    """socket inode -> (local port, remote port) of the process's TCP sockets (its namespace)."""
    found: dict[str, tuple[int, int]] = {}
    for table in ("tcp", "tcp6"):
        path = Path(f"/proc/{pid}/net/{table}")
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            parts = line.split()
            local, remote, inode = parts[1], parts[2], parts[9]
            found[inode] = (int(local.rsplit(":", 1)[1], 16), int(remote.rsplit(":", 1)[1], 16))
    return found


def open_files_by_kind(pid: int, peers: dict[int, str]) -> dict[str, int]:
    """Open fds of a process by what they are: TCP sockets named by their peer's port in ``peers``
    (e.g. the database, Redis), other TCP sockets, and everything else by link type. Tells a pool
    that grew to its size (bounded, stays open) from a leak (client sockets, pipes, files)."""
    ports = _socket_ports(pid)
    kinds: dict[str, int] = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue  # closed while listing
        if target.startswith("socket:["):
            local, remote = ports.get(target[8:-1], (0, 0))
            kind = peers.get(remote) or (
                "tcp listen" if local and not remote else "tcp other" if local else "socket (unix/udp)"
            )
        elif target.startswith("anon_inode:"):
            kind = target
        elif target.startswith(("pipe:", "/dev/")):
            kind = target.split(":")[0] if target.startswith("pipe:") else "device"
        else:
            kind = "file"
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def http_client() -> httpx.AsyncClient:
    """The benchmarks' HTTP client. uvicorn closes a keep-alive connection idle for 5 s; the pool
    forgets its own after 2 s, so a request after a pause (subscribers settling under load) never
    goes out on a connection the server is closing (httpx.ReadError)."""
    return httpx.AsyncClient(timeout=30, limits=httpx.Limits(keepalive_expiry=2.0))

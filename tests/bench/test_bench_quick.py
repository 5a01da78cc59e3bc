"""Each benchmark runs end to end in its tiny mode and prints its ratio line.

Not timed: the numbers depend on a shared, noisy machine. What is checked is that the harness
starts its servers, drives real clients, measures the baseline and either measures ours or says
which operation is still pending. Runs on the backend the suite runs on.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import postgres_only
from tests.support.servers import PROJECT

BACKEND = os.environ.get("EROOM_TEST_BACKEND", "sqlite")
LINE = re.compile(
    r"^\[bench\] (?P<name>.+?): ours=(?P<ours>.*) baseline=(?P<baseline>.*) "
    r"ratio=(?P<ratio>\S+) "
    r"target=(?P<target>.*) -> (?P<verdict>met|not met|pending|-)(?P<rest>.*)$",
    re.MULTILINE,
)


def run_bench(name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", "--tiny", "--backend", BACKEND, "--only", name],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def result_lines(output: str) -> list[re.Match[str]]:
    return list(LINE.finditer(output))


@pytest.mark.parametrize(
    ("benchmark", "row_prefix", "has_baseline"),
    [
        ("fanout", "fan-out", True),
        ("challenges", "challenges list", True),
        ("send", "sendMessage throughput", True),
        ("reconnect", "reconnect storm", False),
        ("soak", "soak", True),
    ],
)
def test_benchmark_runs_in_tiny_mode(benchmark: str, row_prefix: str, has_baseline: bool) -> None:
    # given the project on this suite's backend, when the benchmark runs in its tiny mode
    completed = run_bench(benchmark)

    # then it exits cleanly and prints a ratio line per case, with the table at the end
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    lines = [m for m in result_lines(completed.stdout) if m["name"].startswith(row_prefix)]
    assert lines, completed.stdout
    for line in lines:
        if line["verdict"] == "pending":
            assert "not in schema" in line["rest"], line.group(0)
        else:
            assert line["ours"] != "-", line.group(0)
    if has_baseline:  # the bare baselines run today, whatever the schema holds yet
        assert any(line["baseline"] != "-" for line in lines), completed.stdout
    assert "| result" in completed.stdout


def test_fanout_baseline_delivers_every_event() -> None:
    # given the bare broadcaster baseline, when the fan-out benchmark runs
    completed = run_bench("fanout")

    # then every published event reached every subscriber exactly once
    assert completed.returncode == 0, completed.stderr[-3000:]
    details = re.findall(r"baseline: .*delivered (\S+)%, (\d+) duplicates", completed.stdout)
    assert details, completed.stdout
    assert all(share == "100.00" and duplicates == "0" for share, duplicates in details), details


@postgres_only
def test_cluster_benchmark_runs_in_tiny_mode(tmp_path: Path) -> None:
    # given the cluster benchmark (nginx and the instances on its own PostgreSQL + Redis)
    plot = tmp_path / "cluster.png"

    # when it runs in its tiny mode
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--tiny", "--only", "cluster", "--plot", str(plot)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    # then every topology has both phases measured against 1 instance direct, and the plot is drawn
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    lines = [m for m in result_lines(completed.stdout) if m["name"].startswith("cluster ")]
    topologies = {m["name"].split(": ")[0] for m in lines}
    assert topologies == {"cluster 1 direct", "cluster 1 behind nginx", "cluster 2 behind nginx"}
    assert len(lines) == 2 * len(topologies)
    assert all(m["ours"].endswith("µs CPU/req") or "deliveries/s" in m["ours"] for m in lines), lines
    assert plot.read_bytes().startswith(b"\x89PNG")


def test_send_message_profile_prints_every_component() -> None:
    # given the project on this suite's backend, when the sendMessage profile runs a few rounds
    completed = subprocess.run(
        [sys.executable, "-m", "bench.profile_send", "--backend", BACKEND, "--rounds", "5"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    # then it exits cleanly and prints a CPU figure for each component and the whole mutation
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    for component in (
        "token check",
        "membership + sender read",
        "rate limiter",
        "seq + INSERT",
        "presence read + PUBLISH",
        "mutation through the schema",
    ):
        assert re.search(rf"{re.escape(component)}.*\s\d+$", completed.stdout, re.MULTILINE), completed.stdout

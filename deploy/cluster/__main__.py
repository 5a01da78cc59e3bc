"""``python -m deploy.cluster up [--instances N] [--port P]`` runs the cluster until Ctrl-C/SIGTERM;
``python -m deploy.cluster restart`` asks the running one for a rolling restart and waits for it.

``up`` keeps its files under var/cluster/ (PostgreSQL's data survives a restart of the cluster),
writes var/cluster/cluster.json (its pid, URL and instances), starts again an instance that dies,
and on SIGHUP drains and restarts the instances one at a time.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from types import FrameType

from deploy.cluster.cluster import DEFAULT_ROOT, Cluster

RESTART_TIMEOUT = 300.0


class Signals:
    def __init__(self) -> None:
        self.stop = False
        self.restart = False
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_stop)
        signal.signal(signal.SIGHUP, self._on_restart)

    def _on_stop(self, sig: int, frame: FrameType | None) -> None:
        self.stop = True

    def _on_restart(self, sig: int, frame: FrameType | None) -> None:
        self.restart = True


def up(instances: int, port: int) -> int:
    signals = Signals()
    with Cluster(instances=instances, port=port) as cluster:
        print(f"E-room: {cluster.graphql_url} (nginx in front of {instances} instances)", flush=True)
        for instance in cluster.members:
            print(f"  instance {instance.index}: {instance.url}  log: {instance.log_path}", flush=True)
        print("Ctrl-C stops everything; `make cluster-restart` restarts the instances one at a time.")
        while not signals.stop:
            time.sleep(0.2)
            if signals.restart:
                signals.restart = False
                print("rolling restart ...", flush=True)
                cluster.rolling_restart()
                print(f"rolling restart {cluster.restarts} done", flush=True)
            for index in cluster.revive():
                print(f"instance {index} had died: started again", flush=True)
        print("stopping ...", flush=True)
    return 0


def restart() -> int:
    state_file = DEFAULT_ROOT / "cluster.json"
    if not state_file.exists():
        print("no cluster is running (start one with `make cluster`)", file=sys.stderr)
        return 1
    state = json.loads(state_file.read_text())
    try:
        os.kill(state["pid"], signal.SIGHUP)
    except ProcessLookupError:
        print(f"the cluster of {state_file} is gone (it was not stopped cleanly)", file=sys.stderr)
        return 1
    deadline = time.monotonic() + RESTART_TIMEOUT
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = json.loads(state_file.read_text()) if state_file.exists() else {}
        if now.get("restarts", 0) > state["restarts"]:
            print(f"every instance restarted; {now['url']}/graphql served throughout")
            return 0
    print("the rolling restart did not finish in time", file=sys.stderr)
    return 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.cluster", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("up", help="start nginx, the instances, PostgreSQL and Redis")
    start.add_argument("--instances", type=int, default=2)
    start.add_argument("--port", type=int, default=8080, help="nginx's port on 127.0.0.1")
    commands.add_parser("restart", help="rolling restart of the running cluster")
    args = parser.parse_args(argv)
    return up(args.instances, args.port) if args.command == "up" else restart()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

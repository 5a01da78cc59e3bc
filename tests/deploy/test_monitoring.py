"""Alert rules and the Grafana dashboard: valid PromQL (promtool), alerts that fire when they
should (promtool's rule tests), a runbook section per alert, and only metrics /metrics exposes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import postgres_only
from tests.support.servers import PROJECT, AppServer

PROMETHEUS = PROJECT / "deploy" / "prometheus"
DASHBOARD = json.loads((PROJECT / "deploy" / "grafana" / "dashboards" / "eroom.json").read_text())
ALERTS = [
    rule
    for group in yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"]
    for rule in group["rules"]
]
OPERATIONS = (PROJECT / "docs" / "OPERATIONS.md").read_text()
VERSION = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]["version"]
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool not installed (.ci/run takes it from Debian's prometheus package)"
)
METRIC = re.compile(r"\b(eroom_[a-z_]+)")
SUFFIXES = ("_bucket", "_count", "_sum", "_total", "_created")


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, check=False)


def _dashboard_expressions() -> list[str]:
    return [target["expr"] for panel in DASHBOARD["panels"] for target in panel["targets"]]


@needs_promtool
def test_alert_rules_and_scrape_config_pass_promtool() -> None:
    rules = _promtool("check", "rules", str(PROMETHEUS / "alerts.yml"))
    config = _promtool("check", "config", str(PROMETHEUS / "prometheus.yml"))

    assert rules.returncode == 0, rules.stdout + rules.stderr
    assert config.returncode == 0, config.stdout + config.stderr


@needs_promtool
def test_alerts_fire_on_their_unit_test_series() -> None:
    tested = _promtool("test", "rules", str(PROMETHEUS / "alerts.test.yml"))

    assert tested.returncode == 0, tested.stdout + tested.stderr


@needs_promtool
def test_dashboard_queries_are_valid_promql(tmp_path: Path) -> None:
    # given every dashboard query as a recording rule, which promtool parses
    rules = [{"record": f"dashboard:query{i}", "expr": e} for i, e in enumerate(_dashboard_expressions())]
    path = tmp_path / "dashboard-rules.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))

    checked = _promtool("check", "rules", str(path))

    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_alert_has_a_runbook_section() -> None:
    headings = {h.strip().lower() for h in re.findall(r"^### (\S+)$", OPERATIONS, re.MULTILINE)}

    for alert in ALERTS:
        assert alert["alert"].lower() in headings, alert["alert"]
        assert alert["annotations"]["runbook_url"] == f"docs/OPERATIONS.md#{alert['alert'].lower()}"


def test_dashboard_covers_what_operators_watch() -> None:
    used = set(METRIC.findall(" ".join(_dashboard_expressions())))

    assert used >= {
        "eroom_operations_total",  # requests and errors by operation and code
        "eroom_operation_duration_seconds_bucket",  # latency by operation
        "eroom_websockets_open",
        "eroom_subscriptions_active",
        "eroom_bus_events_delivered_total",
        "eroom_bus_reconnects_total",
        "eroom_rate_limit_refused_total",
        "eroom_db_pool_connections",
    }


async def test_alerts_and_dashboard_use_only_exposed_metrics(app: AppServer) -> None:
    # given what the real app exposes
    async with httpx.AsyncClient() as http:
        exposition = (await http.get(f"{app.url}/metrics")).text
    families = set(re.findall(r"^# TYPE (\S+)", exposition, re.MULTILINE))
    referenced = set(METRIC.findall(" ".join([*_dashboard_expressions(), *(a["expr"] for a in ALERTS)])))

    # then every metric the alerts and the dashboard query is one of them (or a series of one)
    unknown = {
        m
        for m in referenced
        if m not in families and not any(m.removesuffix(s) in families for s in SUFFIXES)
    }
    assert unknown == set()


async def test_metrics_carry_the_version_and_readiness(app: AppServer) -> None:
    async with httpx.AsyncClient() as http:
        exposition = (await http.get(f"{app.url}/metrics")).text

    assert f'eroom_build_info{{version="{VERSION}"}} 1.0' in exposition
    assert "eroom_ready 1.0" in exposition


@postgres_only
async def test_metrics_show_the_database_pool(app: AppServer) -> None:
    async with httpx.AsyncClient() as http:
        exposition = (await http.get(f"{app.url}/metrics")).text
    pool = dict(re.findall(r'^eroom_db_pool_connections\{state="(\w+)"\} (\S+)$', exposition, re.MULTILINE))

    assert set(pool) == {"in_use", "idle", "max"}
    assert float(pool["max"]) >= 1
    assert 0 <= float(pool["in_use"]) <= float(pool["max"])

"""What ENVIRONMENT=production promises: no GraphiQL unless asked for (then under a
Content-Security-Policy), and no demo data."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.support.servers import PROJECT, AppServer

HTML = {"accept": "text/html"}
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_graphiql_is_not_served_in_production(start_app: Callable[..., AppServer]) -> None:
    # given: an instance in production mode
    node = start_app(ENVIRONMENT="production")

    # when: a browser opens /graphql
    response = httpx.get(node.graphql_url, headers=HTML)

    # then: there is no playground
    assert response.status_code == 404
    assert "graphiql" not in response.text.lower()


def test_graphiql_in_production_runs_under_a_content_security_policy(
    start_app: Callable[..., AppServer],
) -> None:
    # given: production with GRAPHIQL=true
    node = start_app(ENVIRONMENT="production", GRAPHIQL="true")

    # when: a browser opens /graphql
    response = httpx.get(node.graphql_url, headers=HTML)

    # then: the page comes with a policy that runs only this server's vendor scripts and the
    # page's own inline script (by its hash), and nothing else
    assert response.status_code == 200
    policy = _directives(response.headers["content-security-policy"])
    inline = INLINE_SCRIPT.search(response.text)
    assert inline is not None
    digest = base64.b64encode(hashlib.sha256(inline.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy["script-src"]
    assert f"{node.url}/static/vendor/" in policy["script-src"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["default-src"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]


def test_graphiql_can_be_turned_off_outside_production(start_app: Callable[..., AppServer]) -> None:
    # given: a development instance with GRAPHIQL=false
    node = start_app(GRAPHIQL="false")

    # when
    response = httpx.get(node.graphql_url, headers=HTML)

    # then
    assert response.status_code == 404


def test_seed_is_refused_in_production(tmp_path: Path, app_env: dict[str, str]) -> None:
    # given: a migrated database and production mode
    database = tmp_path / "production.sqlite3"
    env = {**os.environ, **app_env, "DATABASE_URL": f"sqlite://{database}", "ENVIRONMENT": "production"}
    subprocess.run([sys.executable, "main.py", "migrate"], cwd=PROJECT, env=env, check=True, timeout=120)

    # when: someone runs the demo seed
    run = subprocess.run(
        [sys.executable, "main.py", "seed"], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=120
    )

    # then: it refuses, saying why, and writes nothing
    assert run.returncode == 2
    assert "production" in run.stderr
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT COUNT(*) FROM member").fetchone() == (0,)

"""Logs, metrics, request ids, security headers and served uploads."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from infra.settings import Settings
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient
from tests.support.servers import PROJECT, AppServer
from tests.support.ws import GraphQLWebSocket, ProtocolClosed

MEMBER = "query Member($id: ID!, $password: String, $refreshToken: String) { member(id: $id) { id } }"
SECRET = "hunter2-very-secret-value"
TOO_MANY_TOKENS = "query TooMany { " + "__typename " * 1200 + "}"


def _log_entries(server: AppServer, logger: str) -> list[dict[str, object]]:
    entries = []
    for line in server.log().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("logger") == logger:
                entries.append(entry)
    return entries


def _metric(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        if all(f'{key}="{value}"' in line for key, value in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def _eventually(check: Callable[[], bool], within: float = 5.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return
        await asyncio.sleep(0.05)
    assert check()


async def test_operation_log_has_request_id_viewer_duration_and_code(
    start_app: Callable[..., AppServer], new_account: Callable
) -> None:
    node = start_app(LOG_LEVEL="INFO")
    account: Account = await new_account()
    async with GraphQLClient(node.url, token=account.token) as client:
        ok = await client.execute("query Me { me { id } }", headers={"x-request-id": "req-ok-1"})
        bad = await client.execute(MEMBER, {"id": "x"}, headers={"x-request-id": "req-bad-1"})

    assert ok.ok()["me"]["id"] == str(account.member.id)
    assert bad.code == "BAD_USER_INPUT"
    await _eventually(lambda: len(_log_entries(node, "eroom.operations")) >= 2)
    by_request = {entry["request_id"]: entry for entry in _log_entries(node, "eroom.operations")}
    assert by_request["req-ok-1"]["operation"] == "me"
    assert by_request["req-ok-1"]["operation_name"] == "Me"
    assert by_request["req-ok-1"]["viewer_id"] == account.member.id
    assert by_request["req-ok-1"]["code"] is None
    assert isinstance(by_request["req-ok-1"]["duration_ms"], float)
    assert by_request["req-bad-1"]["code"] == "BAD_USER_INPUT"
    access = [e for e in _log_entries(node, "eroom.access") if e.get("request_id") == "req-ok-1"]
    assert access and access[0]["status"] == 200


async def test_generated_request_id_is_the_one_echoed_and_logged(start_app: Callable[..., AppServer]) -> None:
    # given: an instance logging at INFO
    node = start_app(LOG_LEVEL="INFO")

    # when: a client sends an operation without a request id
    async with httpx.AsyncClient() as http:
        response = await http.post(node.graphql_url, json={"query": "query Typename { __typename }"})

    # then: the id the client gets back is on the operation's log line and its access line
    request_id = response.headers["x-request-id"]
    assert response.status_code == 200
    await _eventually(
        lambda: any(e.get("request_id") == request_id for e in _log_entries(node, "eroom.access"))
    )
    operations = [e for e in _log_entries(node, "eroom.operations") if e.get("request_id") == request_id]
    assert [entry["operation_name"] for entry in operations] == ["Typename"]


async def test_access_log_has_one_line_per_request(start_app: Callable[..., AppServer]) -> None:
    # given: an instance logging at INFO
    node = start_app(LOG_LEVEL="INFO")

    # when: one request is served
    async with httpx.AsyncClient() as http:
        response = await http.get(
            f"{node.url}/static/graphiql.html", headers={"x-request-id": "req-one-line"}
        )

    # then: our access line is the only one (uvicorn's own is off)
    assert response.status_code == 200
    await _eventually(
        lambda: any(e.get("request_id") == "req-one-line" for e in _log_entries(node, "eroom.access"))
    )
    access = [e for e in _log_entries(node, "eroom.access") if e.get("request_id") == "req-one-line"]
    assert [(entry["path"], entry["status"]) for entry in access] == [("/static/graphiql.html", 200)]
    assert _log_entries(node, "uvicorn.access") == []


async def test_secrets_never_reach_the_log(
    start_app: Callable[..., AppServer], new_account: Callable
) -> None:
    node = start_app(LOG_LEVEL="DEBUG")
    account: Account = await new_account()
    async with GraphQLClient(node.url, token=account.token) as client:
        result = await client.execute(MEMBER, {"id": "x", "password": SECRET, "refreshToken": SECRET})

    assert result.code == "BAD_USER_INPUT"
    await _eventually(lambda: bool(_log_entries(node, "eroom.operations")))
    log = node.log()
    assert SECRET not in log
    assert account.token not in log
    entry = _log_entries(node, "eroom.operations")[-1]
    assert entry["variables"] == {"id": "x", "password": "[redacted]", "refreshToken": "[redacted]"}


def test_request_id_is_echoed_or_generated(app: AppServer) -> None:
    given = httpx.get(f"{app.url}/health", headers={"x-request-id": "abc-123"})
    generated = httpx.get(f"{app.url}/health")
    forged = httpx.get(f"{app.url}/health", headers={"x-request-id": "bad id <script>"})

    assert given.headers["x-request-id"] == "abc-123"
    assert len(generated.headers["x-request-id"]) == 16
    assert forged.headers["x-request-id"] != "bad id <script>"


async def test_metrics_count_operations_by_outcome(app: AppServer, client: GraphQLClient) -> None:
    before = (await client.http.get(f"{app.url}/metrics")).text

    await client.execute("{ me { id } }")
    await client.execute('{ member(id: "x") { id } }')

    after = await client.http.get(f"{app.url}/metrics")
    assert after.status_code == 200
    assert after.headers["content-type"].startswith("text/plain")
    text = after.text
    ok = ("eroom_operations_total", {"operation": "me", "type": "query", "outcome": "ok"})
    bad = ("eroom_operations_total", {"operation": "member", "type": "query", "outcome": "BAD_USER_INPUT"})
    for name, labels in (ok, bad):
        assert _metric(text, name, **labels) == _metric(before, name, **labels) + 1
    assert _metric(text, "eroom_operation_duration_seconds_count", operation="me", type="query") >= 1
    for name in (
        "eroom_websockets_open",
        "eroom_subscriptions_active",
        "eroom_bus_reconnects_total",
        "eroom_bus_events_published_total",
        "eroom_bus_events_delivered_total",
        "eroom_rate_limit_refused_total",
        "eroom_http_requests_total",
    ):
        assert f"\n{name}" in text, name


async def test_metrics_follow_open_websockets_and_subscriptions(ticking_app: AppServer) -> None:
    def scrape() -> str:
        return httpx.get(f"{ticking_app.url}/metrics").text

    async with await GraphQLWebSocket.connect(ticking_app.ws_url) as ws:
        op = await ws.subscribe("subscription { ticks }")
        await ws.next_data(op)

        assert _metric(scrape(), "eroom_websockets_open") == 1
        assert _metric(scrape(), "eroom_subscriptions_active") == 1
        await ws.complete(op)
        await _eventually(lambda: _metric(scrape(), "eroom_subscriptions_active") == 0)

    await _eventually(lambda: _metric(scrape(), "eroom_websockets_open") == 0)


@pytest.mark.parametrize("transport", ["http", "websocket"])
async def test_operation_refused_for_tokens_is_logged_and_counted(
    start_app: Callable[..., AppServer], transport: str
) -> None:
    # given: a node that logs every operation
    node = start_app(LOG_LEVEL="INFO")
    refused = {"operation": "unparsed", "type": "query", "outcome": "QUERY_TOO_COMPLEX"}

    # when: a document over the token cap is sent
    if transport == "http":
        async with GraphQLClient(node.url) as client:
            result = await client.execute(TOO_MANY_TOKENS)
        assert result.code == "QUERY_TOO_COMPLEX"
    else:
        async with await GraphQLWebSocket.connect(node.ws_url) as ws:
            op = await ws.subscribe(TOO_MANY_TOKENS)
            with pytest.raises(ProtocolClosed):
                await ws.receive(op)

    # then: one log line and one count, with the refusal's code
    await _eventually(lambda: bool(_log_entries(node, "eroom.operations")))
    entries = _log_entries(node, "eroom.operations")
    assert [(e["operation"], e["code"]) for e in entries] == [("unparsed", "QUERY_TOO_COMPLEX")]
    async with httpx.AsyncClient() as http:
        metrics = (await http.get(f"{node.url}/metrics")).text
    assert _metric(metrics, "eroom_operations_total", **refused) == 1


def test_security_headers_on_every_response(app: AppServer, client: GraphQLClient) -> None:
    for response in (
        httpx.get(f"{app.url}/health"),
        httpx.post(app.graphql_url, json={"query": "{ __typename }"}),
        httpx.get(app.graphql_url, headers={"accept": "text/html"}),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    ("name", "content", "content_type", "disposition"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n", "image/png", None),
        ("photo.JPG", b"\xff\xd8\xff", "image/jpeg", None),
        ("page.html", b"<script>alert(1)</script>", "application/octet-stream", "attachment"),
        ("vector.svg", b"<svg onload=alert(1)>", "application/octet-stream", "attachment"),
        ("noext", b"hello", "application/octet-stream", "attachment"),
    ],
)
def test_media_served_with_safe_content_type(
    app: AppServer, settings: Settings, name: str, content: bytes, content_type: str, disposition: str | None
) -> None:
    folder = Path(settings.media_dir) / "hardening"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)

    response = httpx.get(f"{app.url}/media/hardening/{name}")

    assert response.status_code == 200
    assert response.content == content
    assert response.headers["content-type"] == content_type
    assert response.headers.get("content-disposition") == disposition
    assert response.headers["x-content-type-options"] == "nosniff"


def test_production_settings_refuse_a_missing_or_short_secret() -> None:
    with pytest.raises(ValidationError):
        Settings(ENVIRONMENT="production", JWT_SECRET="")  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        Settings(ENVIRONMENT="production", JWT_SECRET="short")  # type: ignore[call-arg]

    assert Settings(ENVIRONMENT="production", JWT_SECRET="p" * 48).environment == "production"  # type: ignore[call-arg]


def test_production_server_refuses_to_start_without_secret(app_env: dict[str, str]) -> None:
    env = {**app_env, "ENVIRONMENT": "production", "JWT_SECRET": "", "PORT": "1"}

    run = subprocess.run(
        [sys.executable, "main.py", "serve"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        timeout=30,
        check=False,
    )

    assert run.returncode != 0
    assert b"JWT_SECRET" in run.stderr

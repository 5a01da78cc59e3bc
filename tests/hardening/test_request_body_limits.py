"""Body caps: JSON size, multipart file count, file size and total size -> 413 with a code."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import httpx

from tests.support.servers import AppServer

ME = "query Me { me { id } }"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def _multipart(files: dict[str, bytes]) -> dict[str, object]:
    operations = {"query": ME, "variables": {name: None for name in files}}
    file_map = {str(i): [f"variables.{name}"] for i, name in enumerate(files)}
    return {
        "data": {"operations": json.dumps(operations), "map": json.dumps(file_map)},
        "headers": {"apollo-require-preflight": "true"},
        "files": {
            str(i): (f"{name}.png", content, "image/png") for i, (name, content) in enumerate(files.items())
        },
    }


def _assert_refused(response: httpx.Response, field: str) -> None:
    assert response.status_code == 413
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


def test_json_body_over_limit_is_413(app: AppServer) -> None:
    padding = "x" * (1024 * 1024)

    response = httpx.post(app.graphql_url, json={"query": ME, "variables": {"padding": padding}})

    _assert_refused(response, "body")


async def test_chunked_json_body_over_limit_is_413(start_app: Callable[..., AppServer]) -> None:
    # no Content-Length: the cap is counted while the body streams
    node = start_app(MAX_JSON_BODY_BYTES="2000")

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "{ me { id } }", "variables": {"padding": "'
        for _ in range(3):
            yield b"x" * 1000
        yield b'"}}'

    async with httpx.AsyncClient() as http:
        headers = {"content-type": "application/json"}
        response = await http.post(node.graphql_url, content=chunks(), headers=headers)

    _assert_refused(response, "body")


def test_json_body_under_limit_is_served(app: AppServer) -> None:
    response = httpx.post(app.graphql_url, json={"query": ME, "variables": {"padding": "x" * 900_000}})

    assert response.status_code == 200
    assert response.json() == {"data": {"me": None}}


def test_multipart_with_too_many_files_is_413(app: AppServer) -> None:
    response = httpx.post(app.graphql_url, **_multipart({f"f{i}": PNG for i in range(4)}))  # type: ignore[arg-type]

    _assert_refused(response, "files")


def test_multipart_within_limits_is_served(app: AppServer) -> None:
    response = httpx.post(app.graphql_url, **_multipart({f"f{i}": PNG for i in range(3)}))  # type: ignore[arg-type]

    assert response.status_code == 200
    assert response.json() == {"data": {"me": None}}


def test_multipart_file_over_limit_is_413(start_app: Callable[..., AppServer]) -> None:
    node = start_app(MAX_UPLOAD_BYTES="10000")

    response = httpx.post(node.graphql_url, **_multipart({"image": PNG + b"\0" * 10_000}))  # type: ignore[arg-type]

    # reported against the variable the file was meant for, as the resolvers do
    _assert_refused(response, "image")


def test_multipart_total_over_limit_is_413(start_app: Callable[..., AppServer]) -> None:
    node = start_app(MAX_UPLOAD_BYTES="10000", MAX_REQUEST_BYTES="20000")
    files = {f"f{i}": PNG + b"\0" * 9000 for i in range(3)}

    response = httpx.post(node.graphql_url, **_multipart(files))  # type: ignore[arg-type]

    _assert_refused(response, "body")


def _refused_count(app: AppServer) -> float:
    for line in httpx.get(f"{app.url}/metrics").text.splitlines():
        if (
            line.startswith("eroom_http_requests_total{")
            and 'status="413"' in line
            and 'method="POST"' in line
        ):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_refusal_carries_request_id_and_security_headers(app: AppServer) -> None:
    # given: a JSON body over the cap, with a request id
    body = {"query": ME, "variables": {"padding": "x" * (1024 * 1024)}}

    # when: it is sent
    response = httpx.post(app.graphql_url, json=body, headers={"x-request-id": "req-too-large"})

    # then: the 413 carries the request id and the security headers like any response
    _assert_refused(response, "body")
    assert response.headers["x-request-id"] == "req-too-large"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_refusal_is_counted_as_413(app: AppServer) -> None:
    # given: the count of refused requests so far
    before = _refused_count(app)

    # when: a JSON body over the cap is sent
    response = httpx.post(app.graphql_url, json={"query": ME, "variables": {"padding": "x" * (1024 * 1024)}})

    # then: the request is counted with the status the client got
    _assert_refused(response, "body")
    assert _refused_count(app) == before + 1

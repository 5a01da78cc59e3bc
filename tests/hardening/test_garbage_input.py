"""Garbage never crashes the API: a 4xx or a GraphQL error with a code, never a 500 or internals."""

from __future__ import annotations

import httpx
import pytest

from tests.support.servers import AppServer

LOG_IN = """
mutation LogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { accessToken }
}
"""

INTERNALS = ("Traceback", 'File "', "SELECT ", "sqlite", "asyncpg", "/work/", "site-packages")
MEMBER = "query Member($id: ID!) { member(id: $id) { id nickname } }"

RAW_BODIES: list[tuple[str, bytes, str]] = [
    ("malformed json", b'{"query": "{ me { id } ', "application/json"),
    ("json null", b"null", "application/json"),
    ("json number", b"42", "application/json"),
    ("json string", b'"{ me { id } }"', "application/json"),
    ("empty array", b"[]", "application/json"),
    ("array of garbage", b"[1, 2]", "application/json"),
    ("query not a string", b'{"query": 12}', "application/json"),
    ("variables not an object", b'{"query": "{ me { id } }", "variables": [1]}', "application/json"),
    ("empty body", b"", "application/json"),
    ("invalid utf-8", b'{"query": "\xff\xfe"}', "application/json"),
    ("form urlencoded", b"query=%7B+me+%7B+id+%7D+%7D", "application/x-www-form-urlencoded"),
    ("plain text", b"{ me { id } }", "text/plain"),
    ("broken multipart", b"--x\r\nContent-Disposition: form-data\r\n\r\n", "multipart/form-data; boundary=x"),
    ("multipart without boundary", b"garbage", "multipart/form-data"),
]

OPERATIONS: list[tuple[str, dict[str, object], str | None]] = [
    ("syntax error", {"query": "{ me { id "}, None),
    ("unknown field", {"query": "{ nope }"}, None),
    ("unknown operation name", {"query": "query A { me { id } }", "operationName": "B"}, None),
    ("wrong variable type", {"query": MEMBER, "variables": {"id": {"nested": True}}}, None),
    ("missing variable", {"query": MEMBER, "variables": {}}, None),
    ("id x", {"query": MEMBER, "variables": {"id": "x"}}, "id"),
    ("id -1", {"query": MEMBER, "variables": {"id": "-1"}}, "id"),
    ("id 2^70", {"query": MEMBER, "variables": {"id": str(2**70)}}, "id"),
    ("id as huge number", {"query": MEMBER, "variables": {"id": 2**70}}, "id"),
    ("huge string id", {"query": MEMBER, "variables": {"id": "9" * 100_000}}, "id"),
    ("null byte id", {"query": MEMBER, "variables": {"id": "1\x00"}}, "id"),
    ("huge string literal", {"query": '{ member(id: "' + "1" * 200_000 + '") { id } }'}, None),
    ("fragment cycle", {"query": "{ me { ...A } } fragment A on Member { ...A }"}, None),
    ("subscription over http", {"query": "subscription { x }"}, None),
    ("mutation without mutations", {"query": "mutation { x }"}, None),
]


def _assert_clean(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text[:500]
    for marker in INTERNALS:
        assert marker not in response.text, (marker, response.text[:500])


@pytest.mark.parametrize(("name", "body", "content_type"), RAW_BODIES, ids=[case[0] for case in RAW_BODIES])
def test_raw_garbage_is_refused_cleanly(app: AppServer, name: str, body: bytes, content_type: str) -> None:
    response = httpx.post(app.graphql_url, content=body, headers={"content-type": content_type})

    _assert_clean(response)
    assert 400 <= response.status_code < 500, name
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", name


@pytest.mark.parametrize(("name", "payload", "field"), OPERATIONS, ids=[case[0] for case in OPERATIONS])
def test_bad_operation_is_a_graphql_error_with_a_code(
    app: AppServer, name: str, payload: dict[str, object], field: str | None
) -> None:
    response = httpx.post(app.graphql_url, json=payload, timeout=30)

    _assert_clean(response)
    if response.status_code == 200:
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] in ("BAD_USER_INPUT", "QUERY_TOO_COMPLEX"), error
        if field is not None:
            assert error["extensions"]["field"] == field
    else:
        assert 400 <= response.status_code < 500


@pytest.mark.parametrize("cursor", ["x", "!!!", "bm9wZQ==", "a" * 10_000, "\x00", "Y2hhbGxlbmdlOjE6Mg"])
def test_invalid_cursor_is_bad_user_input(app: AppServer, cursor: str) -> None:
    query = "query Page($after: String) { challenges(first: 5, after: $after) { totalCount } }"

    response = httpx.post(app.graphql_url, json={"query": query, "variables": {"after": cursor}})

    _assert_clean(response)
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}, error


BAD_GETS = ["/graphql?query=%7B", "/graphql?query=" + "%7B" * 5000, "/media/../main.py"]


@pytest.mark.parametrize("path", BAD_GETS)
def test_bad_get_requests_are_refused_cleanly(app: AppServer, path: str) -> None:
    response = httpx.get(app.url + path, headers={"accept": "application/json"})

    _assert_clean(response)


def test_nul_character_in_a_variable_is_bad_user_input(app: AppServer) -> None:
    # PostgreSQL cannot store NUL in text: found by the fuzz run as an INTERNAL_SERVER_ERROR
    variables = {"email": "a\x00@example.com", "password": "secret12!"}

    response = httpx.post(app.graphql_url, json={"query": LOG_IN, "variables": variables})

    _assert_clean(response)
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "email"}


def test_nul_character_in_an_inline_string_is_bad_user_input(app: AppServer) -> None:
    query = 'mutation { logIn(email: "\\u0000", password: "x") { accessToken } }'

    response = httpx.post(app.graphql_url, json={"query": query})

    _assert_clean(response)
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "query"}

"""Hole 5: cross-site requests with cookies (CSRF).

Multipart requests need no CORS preflight and neither Origin nor a preflight-forcing header was
checked: a cross-site multipart ``updateNickname`` with only the cookie succeeded, and a
cross-site multipart ``logIn`` set the attacker's session cookies (login CSRF). Now, as Apollo
Server's CSRF prevention does, a request a browser could send without a preflight needs a
non-empty ``Apollo-Require-Preflight`` or ``X-Apollo-Operation-Name`` header, and a
cookie-authenticated request from an Origin outside ``CORS_ORIGINS`` is refused.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

import httpx
import pytest

from models.accounts import Member
from tests.security.conftest import ME, PASSWORD, WithPassword
from tests.support.factories import Account, unique_nickname
from tests.support.servers import AppServer

EVIL = "https://evil.example"
ALLOWED = "http://localhost:3000"  # CORS_ORIGINS of the test app
LOG_IN = """
mutation LogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { accessToken member { id } }
}
"""
UPDATE_NICKNAME = "mutation Rename($n: String!) { updateNickname(nickname: $n) { id nickname } }"


def multipart(query: str, variables: dict[str, object]) -> dict[str, object]:
    """What an HTML form (or fetch with FormData) can post cross-site without a preflight."""
    return {
        "data": {"operations": json.dumps({"query": query, "variables": variables}), "map": "{}"},
        "files": {"unused": ("a.txt", b"x", "text/plain")},
    }


@asynccontextmanager
async def cookie_browser(app: AppServer, account: Account) -> AsyncIterator[httpx.AsyncClient]:
    """A browser holding the member's session cookies (logged in on the real site)."""
    async with httpx.AsyncClient(base_url=app.url) as browser:
        credentials = {"email": account.member.email, "password": PASSWORD}
        response = await browser.post("/graphql", json={"query": LOG_IN, "variables": credentials})
        assert "errors" not in response.json(), response.json()
        yield browser


def refused(response: httpx.Response) -> bool:
    error = response.json()["errors"][0]
    return response.status_code == 400 and error["extensions"] == {
        "code": "BAD_USER_INPUT",
        "field": "headers",
    }


async def test_cross_site_multipart_update_nickname_with_cookie_is_refused(
    app: AppServer, member: WithPassword
) -> None:
    # given a logged-in browser
    account = await member()
    async with cookie_browser(app, account) as browser:
        # when another site makes it post a multipart updateNickname
        response = await browser.post(
            "/graphql",
            headers={"origin": EVIL},
            **multipart(UPDATE_NICKNAME, {"n": unique_nickname("x")}),  # type: ignore[arg-type]
        )

    # then it is refused before anything runs
    assert refused(response), response.text
    assert (await Member.get(id=account.member.id)).nickname == account.member.nickname


async def test_cross_site_multipart_log_in_sets_no_cookies(app: AppServer, member: WithPassword) -> None:
    # given the attacker's own account
    attacker = await member()

    # when another site makes a victim's browser post a multipart logIn with it (login CSRF)
    async with httpx.AsyncClient(base_url=app.url) as victim:
        response = await victim.post(
            "/graphql",
            headers={"origin": EVIL},
            **multipart(LOG_IN, {"email": attacker.member.email, "password": PASSWORD}),  # type: ignore[arg-type]
        )

    # then it is refused and the victim's browser gets no session cookie
    assert refused(response), response.text
    assert response.headers.get_list("set-cookie") == []


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", json.dumps({"query": UPDATE_NICKNAME, "variables": {"n": unique_nickname("x")}})),
        (
            "application/x-www-form-urlencoded",
            "query="
            + quote(UPDATE_NICKNAME)
            + "&variables="
            + quote(json.dumps({"n": unique_nickname("x")})),
        ),
    ],
)
async def test_simple_cross_site_post_with_cookie_is_refused(
    app: AppServer, member: WithPassword, content_type: str, body: str
) -> None:
    # given a logged-in browser
    account = await member()
    async with cookie_browser(app, account) as browser:
        # when another site posts a "simple" request (no preflight) at the API
        response = await browser.post(
            "/graphql", content=body, headers={"origin": EVIL, "content-type": content_type}
        )

    # then it is refused as a cross-site request, and nothing changed
    assert refused(response), response.text
    assert (await Member.get(id=account.member.id)).nickname == account.member.nickname


async def test_get_query_without_preflight_header_is_refused(app: AppServer, member: WithPassword) -> None:
    # given a logged-in browser
    account = await member()
    async with cookie_browser(app, account) as browser:
        # when a page elsewhere makes it GET a query (an <img src>, a link)
        response = await browser.get(
            "/graphql", params={"query": ME}, headers={"origin": EVIL, "accept": "application/json"}
        )

    # then it is refused: the member's data is not read with their cookie
    assert refused(response), response.text
    assert account.id not in response.text


async def test_cookie_request_from_an_origin_outside_cors_origins_is_refused(
    app: AppServer, member: WithPassword
) -> None:
    # given a logged-in browser
    account = await member()
    async with cookie_browser(app, account) as browser:
        # when a JSON request with its cookie comes from an origin that is not allowed
        response = await browser.post(
            "/graphql",
            json={"query": UPDATE_NICKNAME, "variables": {"n": unique_nickname("x")}},
            headers={"origin": EVIL},
        )

    # then it is refused, and nothing changed
    assert refused(response), response.text
    assert (await Member.get(id=account.member.id)).nickname == account.member.nickname


async def test_multipart_with_preflight_header_from_an_allowed_origin_is_served(
    app: AppServer, member: WithPassword
) -> None:
    # given a logged-in browser on the real frontend
    account = await member()
    renamed = unique_nickname("r")
    async with cookie_browser(app, account) as browser:
        # when the frontend's upload link posts multipart with the preflight header
        response = await browser.post(
            "/graphql",
            headers={"origin": ALLOWED, "apollo-require-preflight": "true"},
            **multipart(UPDATE_NICKNAME, {"n": renamed}),  # type: ignore[arg-type]
        )

    # then it is served
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    assert (await Member.get(id=account.member.id)).nickname == renamed


async def test_same_origin_cookie_request_is_served(app: AppServer, member: WithPassword) -> None:
    # given a logged-in browser on the API's own origin (the GraphiQL page)
    account = await member()
    async with cookie_browser(app, account) as browser:
        # when it reads `me` with its cookie
        response = await browser.post("/graphql", json={"query": ME}, headers={"origin": app.url})

    # then it is served
    assert response.json() == {"data": {"me": {"id": account.id, "nickname": account.member.nickname}}}


async def test_graphiql_page_is_still_served_on_a_plain_get(app: AppServer) -> None:
    # when a browser opens /graphql
    async with httpx.AsyncClient() as browser:
        response = await browser.get(app.graphql_url, headers={"accept": "text/html"})

    # then it gets the playground
    assert response.status_code == 200 and "graphiql" in response.text.lower()

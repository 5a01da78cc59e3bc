"""Hole 11: a present but invalid, expired or revoked credential was silently anonymous.

A client could not tell "logged out" from "refresh needed". Now such a credential fails the
request with UNAUTHENTICATED and ``extensions.reason``; no credential at all stays anonymous,
and the operations that exist to get a new session still work with a stale cookie.
"""

from __future__ import annotations

import httpx

from infra.settings import Settings
from infra.tokens import issue_access_token
from models.accounts import Member
from tests.security.conftest import LOG_OUT, ME, PASSWORD, WithPassword, init_close_code, log_in
from tests.support.graphql import GraphQLClient, Result
from tests.support.servers import AppServer

CHALLENGES = "query Challenges { challenges(first: 1) { totalCount } }"
LOG_IN = """
mutation LogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { accessToken }
}
"""
REFRESH = "mutation Refresh { refreshTokens { accessToken } }"
UPDATE_NICKNAME = "mutation Rename($n: String!) { updateNickname(nickname: $n) { id } }"


def reason(result: Result) -> str | None:
    return result.errors[0].get("extensions", {}).get("reason") if result.errors else None


async def test_forged_bearer_token_fails_the_request_instead_of_reading_anonymously(app: AppServer) -> None:
    # given a request carrying a token that is no JWT of ours
    async with GraphQLClient(app.url, token="abc.def.ghi") as forged:
        # when it asks who it is
        result = await forged.execute(ME)

    # then the request fails and says why, instead of answering {"me": null}
    assert result.code == "UNAUTHENTICATED" and reason(result) == "TOKEN_INVALID"
    assert result.body.get("data") is None


async def test_forged_token_cannot_read_public_data_as_anonymous(app: AppServer) -> None:
    # given a forged token
    async with GraphQLClient(app.url, token="abc.def.ghi") as forged:
        # when it reads a public list
        result = await forged.execute(CHALLENGES)

    # then it is refused too: a bad credential is never downgraded to anonymous
    assert result.code == "UNAUTHENTICATED" and reason(result) == "TOKEN_INVALID"
    assert result.body.get("data") is None


async def test_expired_token_says_token_expired(
    app: AppServer, member: WithPassword, settings: Settings
) -> None:
    # given an access token whose lifetime is over
    account = await member()
    expired = Settings(**{**settings.model_dump(by_alias=True), "ACCESS_TOKEN_TTL": -60})
    token = issue_access_token(account.member.id, expired).token

    # when it is used
    async with GraphQLClient(app.url, token=token) as stale:
        result = await stale.execute(ME)

    # then the client learns it must refresh
    assert result.code == "UNAUTHENTICATED" and reason(result) == "TOKEN_EXPIRED"
    assert result.body.get("data") is None


async def test_revoked_session_token_says_session_revoked(app: AppServer, member: WithPassword) -> None:
    # given a session that logged out
    account = await member()
    session = await log_in(app, account)
    async with GraphQLClient(app.url, token=session["accessToken"]) as client:
        assert (await client.execute(LOG_OUT)).ok() == {"logOut": True}

        # when its access token is used again
        result = await client.execute(ME)

    # then it is refused as revoked
    assert result.code == "UNAUTHENTICATED" and reason(result) == "SESSION_REVOKED"
    assert result.body.get("data") is None


async def test_invalid_access_cookie_fails_the_request(app: AppServer) -> None:
    # given a browser holding a garbage access cookie
    async with httpx.AsyncClient(base_url=app.url, cookies={"access_token": "garbage"}) as browser:
        # when it reads `me`
        response = await browser.post("/graphql", json={"query": ME})

    # then the request fails with the reason
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "reason": "TOKEN_INVALID"}
    assert response.json().get("data") is None


async def test_stale_access_cookie_can_still_refresh_and_log_in(app: AppServer, member: WithPassword) -> None:
    # given a browser with a garbage access cookie but a live refresh cookie
    account = await member()
    session = await log_in(app, account)
    stale = f"access_token=garbage; refresh_token={session['refreshToken']}"
    credentials = {"email": account.member.email, "password": PASSWORD}

    # when it refreshes, and when it logs in again
    async with httpx.AsyncClient(base_url=app.url) as browser:
        refreshed = await browser.post("/graphql", json={"query": REFRESH}, headers={"cookie": stale})
    async with httpx.AsyncClient(base_url=app.url) as browser:
        logged_in = await browser.post(
            "/graphql", json={"query": LOG_IN, "variables": credentials}, headers={"cookie": stale}
        )

    # then both work: they exist to get a new session
    assert "errors" not in refreshed.json() and refreshed.json()["data"]["refreshTokens"]["accessToken"]
    assert "errors" not in logged_in.json() and logged_in.json()["data"]["logIn"]["accessToken"]


async def test_no_credential_stays_anonymous(client: GraphQLClient) -> None:
    # when a request carries no credential at all
    result = await client.execute(ME)

    # then it is anonymous, not an error
    assert result.ok() == {"me": None}


async def test_forged_token_cannot_change_data(app: AppServer, member: WithPassword) -> None:
    # given a member and a forged token
    account = await member()
    async with GraphQLClient(app.url, token="abc.def.ghi") as forged:
        # when it tries a mutation
        result = await forged.execute(UPDATE_NICKNAME, {"n": "forged"})

    # then it is refused with the reason and nothing changed
    assert result.code == "UNAUTHENTICATED" and reason(result) == "TOKEN_INVALID"
    assert (await Member.get(id=account.member.id)).nickname == account.member.nickname


async def test_websocket_with_forged_token_is_closed_4403(app: AppServer) -> None:
    # when a socket's connection_init carries a forged token
    code = await init_close_code(app.ws_url, {"Authorization": "Bearer abc.def.ghi"})

    # then it is closed with 4403, which graphql-ws retries after a refresh (4401 it would not)
    assert code == 4403


async def test_websocket_with_revoked_session_is_closed_4403(app: AppServer, member: WithPassword) -> None:
    # given a session that logged out
    account = await member()
    session = await log_in(app, account)
    async with GraphQLClient(app.url, token=session["accessToken"]) as client:
        assert (await client.execute(LOG_OUT)).ok() == {"logOut": True}

    # when a socket opens with its access token
    code = await init_close_code(app.ws_url, {"Authorization": f"Bearer {session['accessToken']}"})

    # then it is refused
    assert code == 4403


async def test_websocket_with_invalid_access_cookie_is_closed_4403(app: AppServer) -> None:
    # when a socket's upgrade carries a garbage access cookie and no token in connection_init
    code = await init_close_code(app.ws_url, {}, headers={"cookie": "access_token=garbage"})

    # then it is refused like a bad token
    assert code == 4403

"""refreshTokens: rotation within a family; reusing a rotated token revokes the family."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx

from infra.settings import Settings
from infra.tokens import decode_access_token, hash_refresh_token
from models.accounts import RefreshToken, TokenFamily
from tests.accounts.conftest import PASSWORD
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

REFRESH_TOKENS = """
mutation Refresh($refreshToken: String) {
  refreshTokens(refreshToken: $refreshToken) { accessToken refreshToken member { id email } }
}
"""
LOG_IN = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { refreshToken accessToken } }"

WithPassword = Callable[..., Awaitable[Account]]


async def logged_in(client: GraphQLClient, account: Account) -> dict[str, str]:
    result = await client.execute(LOG_IN, {"e": account.member.email, "p": PASSWORD})
    return dict(result.ok()["logIn"])


async def test_refresh_tokens_rotates_and_the_old_token_stops_working(
    client: GraphQLClient, account_with_password: WithPassword, settings: Settings
) -> None:
    # given a logged-in member
    account = await account_with_password()
    first = await logged_in(client, account)

    # when they refresh
    result = await client.execute(REFRESH_TOKENS, {"refreshToken": first["refreshToken"]})

    # then they get a new pair for the same family, and the old token is marked rotated
    payload = result.ok()["refreshTokens"]
    assert payload["member"] == {"id": account.id, "email": account.member.email}
    assert payload["refreshToken"] != first["refreshToken"]
    assert decode_access_token(payload["accessToken"], settings).id == account.member.id
    old = await RefreshToken.get(token_hash=hash_refresh_token(first["refreshToken"]))
    new = await RefreshToken.get(token_hash=hash_refresh_token(payload["refreshToken"]))
    assert old.rotated_at is not None and new.rotated_at is None
    assert old.family_id == new.family_id  # type: ignore[attr-defined]


async def test_refresh_tokens_with_a_rotated_token_revokes_the_whole_family(
    client: GraphQLClient, account_with_password: WithPassword
) -> None:
    # given a chain: login -> refresh -> refresh
    account = await account_with_password()
    first = (await logged_in(client, account))["refreshToken"]
    second = (await client.execute(REFRESH_TOKENS, {"refreshToken": first})).ok()["refreshTokens"][
        "refreshToken"
    ]
    third = (await client.execute(REFRESH_TOKENS, {"refreshToken": second})).ok()["refreshTokens"][
        "refreshToken"
    ]

    # when a stolen, already rotated token is replayed
    replay = await client.execute(REFRESH_TOKENS, {"refreshToken": first})

    # then it is refused, the family is revoked, and even the newest token no longer works
    assert replay.code == "UNAUTHENTICATED" and replay.data == {}
    family = await TokenFamily.get(tokens__token_hash=hash_refresh_token(first))
    assert family.revoked_at is not None
    latest = await client.execute(REFRESH_TOKENS, {"refreshToken": third})
    assert latest.code == "UNAUTHENTICATED"


async def test_refresh_tokens_reuse_leaves_other_sessions_alone(
    client: GraphQLClient, account_with_password: WithPassword
) -> None:
    # given two sessions of one member, one of which has a replayed token
    account = await account_with_password()
    phone = (await logged_in(client, account))["refreshToken"]
    laptop = (await logged_in(client, account))["refreshToken"]
    assert (await client.execute(REFRESH_TOKENS, {"refreshToken": phone})).ok()
    assert (await client.execute(REFRESH_TOKENS, {"refreshToken": phone})).code == "UNAUTHENTICATED"

    # when the other session refreshes
    result = await client.execute(REFRESH_TOKENS, {"refreshToken": laptop})

    # then it still works
    assert result.ok()["refreshTokens"]["member"]["id"] == account.id
    assert await TokenFamily.filter(member_id=account.member.id, revoked_at=None).count() == 1


async def test_refresh_tokens_with_unknown_token_is_unauthenticated(client: GraphQLClient) -> None:
    # when a made-up token is presented
    result = await client.execute(REFRESH_TOKENS, {"refreshToken": "not-a-real-token"})

    # then it is refused
    assert result.code == "UNAUTHENTICATED" and result.data == {}
    assert not await RefreshToken.filter(token_hash=hash_refresh_token("not-a-real-token")).exists()


async def test_refresh_tokens_with_expired_token_is_unauthenticated(
    client: GraphQLClient, account_with_password: WithPassword
) -> None:
    # given a refresh token past its lifetime
    account = await account_with_password()
    token = (await logged_in(client, account))["refreshToken"]
    await RefreshToken.filter(token_hash=hash_refresh_token(token)).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )

    # when it is used
    result = await client.execute(REFRESH_TOKENS, {"refreshToken": token})

    # then it is refused and not rotated
    assert result.code == "UNAUTHENTICATED"
    assert (await RefreshToken.get(token_hash=hash_refresh_token(token))).rotated_at is None


async def test_refresh_tokens_without_argument_uses_the_cookie(
    app: AppServer, account_with_password: WithPassword
) -> None:
    # given a browser that logged in (cookies only)
    account = await account_with_password()
    async with httpx.AsyncClient(base_url=app.url) as browser:
        login = await browser.post(
            "/graphql", json={"query": LOG_IN, "variables": {"e": account.member.email, "p": PASSWORD}}
        )
        old_refresh = login.cookies["refresh_token"]

        # when it refreshes without passing a token
        response = await browser.post("/graphql", json={"query": REFRESH_TOKENS})

        # then the cookie was rotated and replaced
        payload = response.json()["data"]["refreshTokens"]
        assert payload["member"]["id"] == account.id
        assert browser.cookies["refresh_token"] == payload["refreshToken"] != old_refresh
    assert (await RefreshToken.get(token_hash=hash_refresh_token(old_refresh))).rotated_at is not None


async def test_refresh_tokens_twice_concurrently_lets_one_win_and_revokes_the_family(
    app: AppServer, account_with_password: WithPassword
) -> None:
    # given one refresh token sent by two requests at the same moment
    account = await account_with_password()
    async with GraphQLClient(app.url) as a, GraphQLClient(app.url) as b:
        token = (await logged_in(a, account))["refreshToken"]

        # when both try to rotate it
        results = await asyncio.gather(
            a.execute(REFRESH_TOKENS, {"refreshToken": token}),
            b.execute(REFRESH_TOKENS, {"refreshToken": token}),
        )

    # then exactly one rotation happened; the other counts as reuse and ends the session
    assert sorted(str(result.code) for result in results) == ["None", "UNAUTHENTICATED"]
    family = await TokenFamily.get(tokens__token_hash=hash_refresh_token(token))
    assert family.revoked_at is not None
    assert await RefreshToken.filter(family_id=family.id).count() == 2

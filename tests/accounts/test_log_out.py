"""logOut: revokes the session's family, clears the cookies, ends that token's subscriptions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import orjson
from redis.asyncio import Redis

from events.channels import member_channel
from events.codec import decode
from events.member import SessionEnded
from tests.accounts.conftest import PASSWORD, SESSION_LOG_IN, family_of, log_in
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer, RedisServer

LOG_OUT = "mutation LogOut($refreshToken: String) { logOut(refreshToken: $refreshToken) }"
LOG_IN = SESSION_LOG_IN
REFRESH = "mutation($t: String) { refreshTokens(refreshToken: $t) { refreshToken } }"

WithPassword = Callable[..., Awaitable[Account]]


async def test_log_out_with_access_token_revokes_its_session_only(
    app: AppServer, account_with_password: WithPassword
) -> None:
    # given a member logged in twice (two sessions)
    account = await account_with_password()
    here, there = await log_in(app, account), await log_in(app, account)

    # when the first session logs out with its access token alone
    async with GraphQLClient(app.url, token=here["accessToken"]) as session:
        result = await session.execute(LOG_OUT)

    # then that session's refresh token is dead and the other still works
    assert result.ok() == {"logOut": True}
    assert (await family_of(here["refreshToken"])).revoked_at is not None
    assert (await family_of(there["refreshToken"])).revoked_at is None
    async with GraphQLClient(app.url) as anonymous:
        assert (await anonymous.execute(REFRESH, {"t": here["refreshToken"]})).code == "UNAUTHENTICATED"
        assert (await anonymous.execute(REFRESH, {"t": there["refreshToken"]})).ok()


async def test_log_out_with_refresh_token_argument_revokes_its_family(
    client: GraphQLClient, account_with_password: WithPassword
) -> None:
    # given a session known by its refresh token only
    account = await account_with_password()
    tokens = (await client.execute(LOG_IN, {"e": account.member.email, "p": PASSWORD})).ok()["logIn"]

    # when logging out with it
    result = await client.execute(LOG_OUT, {"refreshToken": tokens["refreshToken"]})

    # then the family is revoked
    assert result.ok() == {"logOut": True}
    assert (await family_of(tokens["refreshToken"])).revoked_at is not None


async def test_log_out_in_a_browser_clears_cookies_and_revokes_the_cookie_session(
    app: AppServer, account_with_password: WithPassword
) -> None:
    # given a browser logged in by cookies
    account = await account_with_password()
    async with httpx.AsyncClient(base_url=app.url) as browser:
        login = await browser.post(
            "/graphql", json={"query": LOG_IN, "variables": {"e": account.member.email, "p": PASSWORD}}
        )
        refresh_token = login.cookies["refresh_token"]

        # when it logs out
        response = await browser.post("/graphql", json={"query": LOG_OUT})

        # then both cookies are cleared and the browser is anonymous again
        assert response.json() == {"data": {"logOut": True}}
        cleared = [c for c in response.headers.get_list("set-cookie") if "max-age=0" in c.lower()]
        assert {c.split("=")[0] for c in cleared} == {"access_token", "refresh_token"}
        assert "refresh_token" not in browser.cookies
        me = await browser.post("/graphql", json={"query": "{ me { id } }"})
    assert me.json() == {"data": {"me": None}}
    assert (await family_of(refresh_token)).revoked_at is not None


async def test_log_out_anonymously_without_token_is_unauthenticated(client: GraphQLClient) -> None:
    # when nobody in particular logs out
    result = await client.execute(LOG_OUT)

    # then there was no session to end
    assert result.code == "UNAUTHENTICATED" and result.data == {}


async def test_log_out_with_someone_elses_refresh_token_leaves_their_session(
    client_for: Callable[[Account], GraphQLClient],
    client: GraphQLClient,
    account_with_password: WithPassword,
) -> None:
    # given a victim's refresh token in the hands of another member
    victim = await account_with_password()
    attacker = await account_with_password()
    stolen = (await client.execute(LOG_IN, {"e": victim.member.email, "p": PASSWORD})).ok()["logIn"]

    # when the other member logs out with it
    result = await client_for(attacker).execute(LOG_OUT, {"refreshToken": stolen["refreshToken"]})

    # then their own logout succeeds but the victim's session is untouched
    assert result.ok() == {"logOut": True}
    assert (await family_of(stolen["refreshToken"])).revoked_at is None


async def test_log_out_publishes_session_ended_for_the_token(
    start_app: Callable[..., AppServer], redis: RedisServer, account_with_password: WithPassword
) -> None:
    # given an app on a Redis bus, and a listener on the member's channel
    server = start_app(REDIS_URL=redis.url)
    account = await account_with_password()
    async with GraphQLClient(server.url) as anonymous:
        tokens = (await anonymous.execute(LOG_IN, {"e": account.member.email, "p": PASSWORD})).ok()["logIn"]
    listener = Redis.from_url(redis.url)
    pubsub = listener.pubsub()
    await pubsub.subscribe(member_channel(account.member.id))
    try:
        # when the member logs out
        async with GraphQLClient(server.url, token=tokens["accessToken"]) as session:
            assert (await session.execute(LOG_OUT)).ok() == {"logOut": True}

        # then a SessionEnded event names the access token that logged out
        message = None
        for _ in range(50):
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.1)
            if message is not None:
                break
    finally:
        await pubsub.aclose()
        await listener.aclose()
    assert message is not None
    event = decode(orjson.loads(message["data"]))
    family = await family_of(tokens["refreshToken"])
    assert event == SessionEnded(member_id=account.member.id, token_id=event.token_id)
    assert event.token_id is not None and event.token_id.startswith(f"{family.id}.")
    assert family.revoked_at is not None

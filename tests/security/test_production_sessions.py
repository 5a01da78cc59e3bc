"""Production mode enforces what it promises, for cookies, tokens, sockets and Kakao.

With ``ENVIRONMENT=production`` the auth cookies are Secure whatever ``COOKIE_SECURE`` says.
Everywhere: responses that carry tokens are ``Cache-Control: no-store``, the refresh cookie is
scoped to the GraphQL path, anonymous WebSockets are capped per IP, and Kakao links an existing
password account only by an email Kakao reports as verified.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from infra.settings import Settings
from models.accounts import Member
from tests.accounts.kakao_provider import KakaoProvider
from tests.security.conftest import PASSWORD, WithPassword, init_close_code
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

LOG_IN = """
mutation LogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { accessToken }
}
"""
LOG_IN_WITH_KAKAO = """
mutation Kakao($code: String!) { logInWithKakao(code: $code) { member { id email isSocialMember } } }
"""
REFRESH = "mutation Refresh { refreshTokens { accessToken } }"


@pytest.fixture(scope="module")
def kakao_app(app_env: dict[str, str], kakao: KakaoProvider) -> Iterator[AppServer]:
    server = AppServer(env={**app_env, **kakao.env()})
    server.start()
    yield server
    server.stop()


async def test_production_forces_secure_cookies(
    start_app: Callable[..., AppServer], member: WithPassword
) -> None:
    # given a production app configured with COOKIE_SECURE=false by mistake
    server = start_app(ENVIRONMENT="production", COOKIE_SECURE="false")
    account = await member()

    # when a member logs in
    async with GraphQLClient(server.url) as client:
        result = await client.execute(LOG_IN, {"email": account.member.email, "password": PASSWORD})

    # then both cookies are Secure anyway
    assert result.ok()["logIn"]["accessToken"]
    cookies = [cookie.lower() for cookie in result.headers.get_list("set-cookie")]
    assert len(cookies) == 2 and all("; secure" in cookie for cookie in cookies), cookies


def test_production_settings_force_secure_cookies(settings: Settings) -> None:
    # when production settings say COOKIE_SECURE=false
    production = Settings(
        **{**settings.model_dump(by_alias=True), "ENVIRONMENT": "production", "COOKIE_SECURE": False}
    )

    # then the cookies are Secure
    assert production.cookie_secure is True


async def test_token_responses_are_not_cached(app: AppServer, member: WithPassword) -> None:
    # given a member
    account = await member()

    # when they log in and refresh
    async with GraphQLClient(app.url) as client:
        logged_in = await client.execute(LOG_IN, {"email": account.member.email, "password": PASSWORD})
        refreshed = await client.execute(REFRESH)

    # then neither response may be stored by a cache on the way
    assert logged_in.ok() and refreshed.ok()
    assert logged_in.headers.get("cache-control") == "no-store"
    assert refreshed.headers.get("cache-control") == "no-store"


async def test_refresh_cookie_is_scoped_to_the_graphql_path(app: AppServer, member: WithPassword) -> None:
    # given a member
    account = await member()

    # when they log in
    async with GraphQLClient(app.url) as client:
        result = await client.execute(LOG_IN, {"email": account.member.email, "password": PASSWORD})

    # then the refresh cookie is only sent to /graphql
    refresh = next(c for c in result.headers.get_list("set-cookie") if c.startswith("refresh_token="))
    assert "path=/graphql" in refresh.lower(), refresh


async def test_anonymous_websockets_are_capped_per_ip(start_app: Callable[..., AppServer]) -> None:
    # given an app allowing 2 anonymous sockets per client IP, and 2 open
    server = start_app(WS_MAX_ANONYMOUS_PER_IP="2")
    opened = [await GraphQLWebSocket.connect(server.ws_url) for _ in range(2)]
    try:
        # when a third anonymous socket opens from the same IP
        code = await init_close_code(server.ws_url, {})
    finally:
        for socket in opened:
            await socket.close()

    # then it is refused with 4403
    assert code == 4403


async def test_anonymous_socket_slot_is_freed_on_close(start_app: Callable[..., AppServer]) -> None:
    # given an app allowing 1 anonymous socket per IP, opened and closed
    server = start_app(WS_MAX_ANONYMOUS_PER_IP="1")
    first = await GraphQLWebSocket.connect(server.ws_url)
    await first.close()

    # when another opens, then it is accepted
    assert await init_close_code(server.ws_url, {}) is None


async def test_kakao_does_not_link_a_password_account_by_an_unverified_email(
    kakao_app: AppServer, kakao: KakaoProvider, member: WithPassword
) -> None:
    # given a password account, and a Kakao account claiming its email without verifying it
    account = await member()
    code = kakao.add(
        900_000_000 + account.member.id, nickname="claimer", email=str(account.member.email), verified=False
    )

    # when that Kakao account logs in
    async with GraphQLClient(kakao_app.url) as client:
        result = await client.execute(LOG_IN_WITH_KAKAO, {"code": code})

    # then it becomes a separate member; the password account is not taken over
    created = result.ok()["logInWithKakao"]["member"]
    assert created["id"] != account.id and created["email"] is None
    assert (await Member.get(id=account.member.id)).kakao_id is None


async def test_kakao_links_a_password_account_by_a_verified_email(
    kakao_app: AppServer, kakao: KakaoProvider, member: WithPassword
) -> None:
    # given a password account, and a Kakao account with the same verified email
    account = await member()
    kakao_id = 950_000_000 + account.member.id
    code = kakao.add(kakao_id, nickname="owner", email=str(account.member.email), verified=True)

    # when that Kakao account logs in
    async with GraphQLClient(kakao_app.url) as client:
        result = await client.execute(LOG_IN_WITH_KAKAO, {"code": code})

    # then it is the same member, now linked
    assert result.ok()["logInWithKakao"]["member"]["id"] == account.id
    assert (await Member.get(id=account.member.id)).kakao_id == str(kakao_id)

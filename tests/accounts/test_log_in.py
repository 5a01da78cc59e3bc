"""logIn: Argon2id passwords, one message for every bad credential, brute-force limits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
from argon2 import PasswordHasher

from infra.settings import Settings
from infra.tokens import decode_access_token
from models.accounts import Member, TokenFamily
from tests.accounts.conftest import PASSWORD, from_fresh_ip
from tests.support.factories import Account, unique_email
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer, RedisServer

LOG_IN = """
mutation LogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) {
    accessToken refreshToken accessTokenExpiresAt member { id email nickname }
  }
}
"""
ME = "query { me { id email } }"

WithPassword = Callable[..., Awaitable[Account]]


async def test_log_in_with_right_password_returns_own_tokens(
    client: GraphQLClient, account_with_password: WithPassword, settings: Settings
) -> None:
    # given a member with a password
    account = await account_with_password()

    # when they log in (email in another case)
    result = await client.execute(LOG_IN, {"email": str(account.member.email).upper(), "password": PASSWORD})

    # then they get their tokens and a new session
    payload = result.ok()["logIn"]
    assert payload["member"] == {
        "id": account.id,
        "email": account.member.email,
        "nickname": account.member.nickname,
    }
    assert decode_access_token(payload["accessToken"], settings).id == account.member.id
    assert await TokenFamily.filter(member_id=account.member.id, revoked_at=None).count() == 1
    assert "argon2" not in str(result.body)


async def test_log_in_with_wrong_password_or_unknown_email_gives_the_same_error(
    client: GraphQLClient, account_with_password: WithPassword
) -> None:
    # given a member
    account = await account_with_password()

    # when one tries a wrong password, and another an unknown address
    wrong = await client.execute(LOG_IN, {"email": account.member.email, "password": "wrong123!"})
    unknown = await client.execute(LOG_IN, {"email": unique_email(), "password": PASSWORD})

    # then both are refused with the same message and no session is made
    assert wrong.code == unknown.code == "UNAUTHENTICATED"
    assert wrong.error["message"] == unknown.error["message"]
    assert wrong.data == unknown.data == {}
    assert not await TokenFamily.filter(member_id=account.member.id).exists()


async def test_log_in_of_social_only_member_is_unauthenticated(
    client: GraphQLClient, new_account: Callable[..., Awaitable[Account]]
) -> None:
    # given a member who signed up through Kakao (no password)
    account = await new_account()
    await Member.filter(id=account.member.id).update(kakao_id="kakao-only-1" + account.id)

    # when someone tries a password for them
    result = await client.execute(LOG_IN, {"email": account.member.email, "password": PASSWORD})

    # then it is refused, pointing at Kakao
    assert result.code == "UNAUTHENTICATED" and "Kakao" in result.error["message"]
    assert not await TokenFamily.filter(member_id=account.member.id).exists()


async def test_log_in_with_outdated_hash_parameters_rehashes_the_password(
    client: GraphQLClient, new_account: Callable[..., Awaitable[Account]]
) -> None:
    # given a member whose hash was made with weaker Argon2 parameters
    account = await new_account()
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash(PASSWORD)
    await Member.filter(id=account.member.id).update(password_hash=weak)

    # when they log in
    result = await client.execute(LOG_IN, {"email": account.member.email, "password": PASSWORD})

    # then the stored hash is upgraded to the current parameters and still matches
    assert result.ok()["logIn"]["member"]["id"] == account.id
    stored = (await Member.get(id=account.member.id)).password_hash
    assert stored is not None and stored != weak
    current = PasswordHasher()
    assert current.verify(stored, PASSWORD) and not current.check_needs_rehash(stored)


async def test_log_in_sets_cookies_that_authenticate_a_plain_http_client(
    app: AppServer, account_with_password: WithPassword
) -> None:
    # given a browser-like client with a cookie jar and no Authorization header
    account = await account_with_password()
    async with httpx.AsyncClient(base_url=app.url) as browser:
        # when it logs in
        response = await browser.post(
            "/graphql",
            json={"query": LOG_IN, "variables": {"email": account.member.email, "password": PASSWORD}},
        )

        # then HttpOnly, SameSite=Lax cookies are set and the next request is authenticated by them
        assert response.status_code == 200 and "errors" not in response.json()
        cookies = response.headers.get_list("set-cookie")
        for name in ("access_token", "refresh_token"):
            cookie = next(c for c in cookies if c.startswith(f"{name}="))
            lowered = cookie.lower()
            assert "httponly" in lowered and "samesite=lax" in lowered and "path=/" in lowered
            assert "secure" not in lowered.replace("samesite", "")
        me = await browser.post("/graphql", json={"query": ME})
    assert me.json() == {"data": {"me": {"id": account.id, "email": account.member.email}}}


async def test_log_in_cookies_are_secure_when_configured(
    start_app: Callable[..., AppServer], account_with_password: WithPassword
) -> None:
    # given an app behind HTTPS
    server = start_app(COOKIE_SECURE="true")
    account = await account_with_password()
    async with GraphQLClient(server.url) as client:
        # when a member logs in
        result = await client.execute(LOG_IN, {"email": account.member.email, "password": PASSWORD})

    # then both cookies are Secure
    assert result.ok()
    cookies = [c.lower() for c in result.headers.get_list("set-cookie")]
    assert len(cookies) == 2 and all("; secure" in c for c in cookies)


async def test_log_in_after_too_many_failures_is_rate_limited_even_with_right_password(
    start_app: Callable[..., AppServer], account_with_password: WithPassword
) -> None:
    # given an app allowing 3 failures per email, and 3 failures
    server = start_app(LIMIT_LOGIN_FAILURES="3/900")
    account = await account_with_password()
    async with GraphQLClient(server.url) as client:
        for _ in range(3):
            failed = await client.execute(LOG_IN, {"email": account.member.email, "password": "wrong123!"})
            assert failed.code == "UNAUTHENTICATED"

        # when the right password is tried
        result = await client.execute(LOG_IN, {"email": account.member.email, "password": PASSWORD})

    # then it is refused until the window passes
    assert result.code == "RATE_LIMITED"
    assert 800 < result.error["extensions"]["retryAfter"] <= 900
    assert not await TokenFamily.filter(member_id=account.member.id).exists()


async def test_log_in_failures_are_counted_across_instances_sharing_redis(
    start_app: Callable[..., AppServer], redis: RedisServer, account_with_password: WithPassword
) -> None:
    # given two instances counting in the same Redis, and failures spread over both
    first = start_app(REDIS_URL=redis.url, LIMIT_LOGIN_FAILURES="3/900")
    second = start_app(REDIS_URL=redis.url, LIMIT_LOGIN_FAILURES="3/900")
    account = await account_with_password()
    wrong = {"email": account.member.email, "password": "wrong123!"}
    async with GraphQLClient(first.url) as a, GraphQLClient(second.url) as b:
        assert (await a.execute(LOG_IN, wrong)).code == "UNAUTHENTICATED"
        assert (await b.execute(LOG_IN, wrong)).code == "UNAUTHENTICATED"
        assert (await a.execute(LOG_IN, wrong)).code == "UNAUTHENTICATED"

        # when the right password is tried on either instance
        right = {"email": account.member.email, "password": PASSWORD}
        on_first = await a.execute(LOG_IN, right)
        on_second = await b.execute(LOG_IN, right)

    # then both refuse: the limit holds for the whole service
    assert on_first.code == on_second.code == "RATE_LIMITED"
    assert not await TokenFamily.filter(member_id=account.member.id).exists()


async def test_log_in_over_the_ip_limit_is_rate_limited(
    start_app: Callable[..., AppServer], account_with_password: WithPassword
) -> None:
    # given an app allowing two anonymous calls per client IP
    server = start_app(LIMIT_ANONYMOUS_PER_IP="2/60")
    account = await account_with_password()
    right = {"email": account.member.email, "password": PASSWORD}
    async with GraphQLClient(server.url) as client:
        from_fresh_ip(client)
        assert (await client.execute(LOG_IN, right)).ok()
        assert (await client.execute(LOG_IN, right)).ok()

        # when a third call comes from the same IP
        result = await client.execute(LOG_IN, right)

    # then it is refused with a delay
    assert result.code == "RATE_LIMITED" and result.error["extensions"]["retryAfter"] >= 1
    assert await TokenFamily.filter(member_id=account.member.id).count() == 2

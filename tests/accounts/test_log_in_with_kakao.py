"""logInWithKakao against a real local OAuth2 provider (tests/accounts/kakao_provider.py)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import pytest

from models.accounts import Member, TokenFamily
from tests.accounts.kakao_provider import CLIENT_ID, KakaoProvider
from tests.support.factories import Account, unique_email, unique_nickname
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

LOG_IN_WITH_KAKAO = """
mutation Kakao($code: String!, $redirectUri: String) {
  logInWithKakao(code: $code, redirectUri: $redirectUri) {
    accessToken refreshToken member { id nickname email isSocialMember }
  }
}
"""

_kakao_ids = iter(range(int(time.time() * 1000), 2**62))


@pytest.fixture(scope="module")
def kakao_app(app_env: dict[str, str], kakao: KakaoProvider) -> Iterator[AppServer]:
    """An app whose Kakao endpoints are the local provider, with a 1 s timeout."""
    server = AppServer(env={**app_env, **kakao.env(timeout=1.0)})
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def kakao_client(kakao_app: AppServer) -> AsyncIterator[GraphQLClient]:
    async with GraphQLClient(kakao_app.url) as client:
        yield client


async def test_log_in_with_kakao_creates_a_social_member(
    kakao_client: GraphQLClient, kakao: KakaoProvider
) -> None:
    # given a Kakao user seen for the first time
    kakao_id = next(_kakao_ids)
    nickname = unique_nickname("k")
    code = kakao.add(kakao_id, nickname=nickname, email=unique_email("kakao"))

    # when they log in with the authorization code
    result = await kakao_client.execute(
        LOG_IN_WITH_KAKAO, {"code": code, "redirectUri": "http://localhost:3000/cb"}
    )

    # then a social member exists, logged in, and the code exchange was a proper OAuth2 request
    payload = result.ok()["logInWithKakao"]
    member = await Member.get(kakao_id=str(kakao_id))
    assert payload["member"] == {
        "id": str(member.id),
        "nickname": nickname,
        "email": member.email,
        "isSocialMember": True,
    }
    assert member.password_hash is None
    assert await TokenFamily.filter(member_id=member.id).count() == 1
    request = kakao.token_requests[-1]
    assert request["grant_type"] == "authorization_code" and request["client_id"] == CLIENT_ID
    assert request["redirect_uri"] == "http://localhost:3000/cb"


async def test_log_in_with_kakao_again_finds_the_same_member(
    kakao_client: GraphQLClient, kakao: KakaoProvider
) -> None:
    # given a Kakao member who logged in before
    kakao_id = next(_kakao_ids)
    first = await kakao_client.execute(LOG_IN_WITH_KAKAO, {"code": kakao.add(kakao_id, nickname="again")})
    member_id = first.ok()["logInWithKakao"]["member"]["id"]

    # when they log in again
    second = await kakao_client.execute(LOG_IN_WITH_KAKAO, {"code": kakao.add(kakao_id, nickname="again")})

    # then it is the same member with a second session
    assert second.ok()["logInWithKakao"]["member"]["id"] == member_id
    assert await Member.filter(kakao_id=str(kakao_id)).count() == 1
    assert await TokenFamily.filter(member_id=int(member_id)).count() == 2


async def test_log_in_with_kakao_links_a_member_with_the_same_verified_email(
    kakao_client: GraphQLClient, kakao: KakaoProvider, new_account: Callable[..., Awaitable[Account]]
) -> None:
    # given a member who signed up by email
    account = await new_account()

    # when they log in with a Kakao account carrying the same verified email
    kakao_id = next(_kakao_ids)
    code = kakao.add(kakao_id, nickname="whatever", email=str(account.member.email).upper())
    result = await kakao_client.execute(LOG_IN_WITH_KAKAO, {"code": code})

    # then the existing member is linked, not duplicated
    payload = result.ok()["logInWithKakao"]["member"]
    assert payload["id"] == account.id and payload["isSocialMember"] is True
    assert payload["nickname"] == account.member.nickname
    assert (await Member.get(id=account.member.id)).kakao_id == str(kakao_id)


async def test_log_in_with_kakao_with_unverified_email_does_not_link(
    kakao_client: GraphQLClient, kakao: KakaoProvider, new_account: Callable[..., Awaitable[Account]]
) -> None:
    # given a member, and a Kakao account claiming their email without verifying it
    account = await new_account()
    code = kakao.add(next(_kakao_ids), nickname="claimer", email=str(account.member.email), verified=False)

    # when it logs in
    result = await kakao_client.execute(LOG_IN_WITH_KAKAO, {"code": code})

    # then a separate member without that email is created
    payload = result.ok()["logInWithKakao"]["member"]
    assert payload["id"] != account.id and payload["email"] is None
    assert (await Member.get(id=account.member.id)).kakao_id is None


async def test_log_in_with_kakao_with_taken_nickname_makes_it_unique(
    kakao_client: GraphQLClient, kakao: KakaoProvider, new_account: Callable[..., Awaitable[Account]]
) -> None:
    # given a member already using the Kakao profile's nickname (in another case)
    taken = unique_nickname("t").lower()
    await new_account(nickname=taken)

    # when the Kakao user logs in
    result = await kakao_client.execute(
        LOG_IN_WITH_KAKAO, {"code": kakao.add(next(_kakao_ids), nickname=taken.upper())}
    )

    # then they get a different, valid nickname
    nickname = result.ok()["logInWithKakao"]["member"]["nickname"]
    assert nickname.casefold() != taken and 3 <= len(nickname) <= 10
    assert await Member.filter(nickname_key=nickname.casefold()).count() == 1


async def test_log_in_with_kakao_with_rejected_code_is_unauthenticated(kakao_client: GraphQLClient) -> None:
    # when the provider does not know the code
    before = await Member.all().count()
    result = await kakao_client.execute(LOG_IN_WITH_KAKAO, {"code": "never-issued"})

    # then the login is refused with the provider's reason and nothing is created
    assert result.code == "UNAUTHENTICATED" and "invalid_grant" in result.error["message"]
    assert await Member.all().count() == before


async def test_log_in_with_kakao_when_provider_fails_is_unauthenticated(kakao_client: GraphQLClient) -> None:
    # when the provider answers 500
    before = await Member.all().count()
    result = await kakao_client.execute(LOG_IN_WITH_KAKAO, {"code": "fail-500"})

    # then the login is refused with a clear message, not an internal error
    assert result.code == "UNAUTHENTICATED" and "Kakao login failed" in result.error["message"]
    assert await Member.all().count() == before


async def test_log_in_with_kakao_when_provider_times_out_is_unauthenticated(
    kakao_client: GraphQLClient,
) -> None:
    # when the provider does not answer within KAKAO_TIMEOUT
    started = time.monotonic()
    result = await kakao_client.execute(LOG_IN_WITH_KAKAO, {"code": "slow"})

    # then the login is refused quickly, saying Kakao did not answer
    assert result.code == "UNAUTHENTICATED" and "did not answer in time" in result.error["message"]
    assert time.monotonic() - started < 4

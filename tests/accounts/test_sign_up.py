"""signUp: a valid, unused email code and valid fields make a logged-in member."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from infra.settings import Settings
from infra.tokens import decode_access_token
from models.accounts import EmailVerification, Member, TokenFamily
from tests.accounts.conftest import PASSWORD
from tests.support.factories import Account, unique_email, unique_nickname
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

SIGN_UP = """
mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) {
    accessToken refreshToken accessTokenExpiresAt
    member { id nickname email isSocialMember bricksCount }
  }
}
"""

MailedCode = Callable[[GraphQLClient, str], Awaitable[str]]


def sign_up_input(email: str, code: str, **overrides: str) -> dict[str, dict[str, str]]:
    fields = {
        "email": email,
        "password": PASSWORD,
        "nickname": unique_nickname("s"),
        "verificationCode": code,
    }
    return {"input": {**fields, **overrides}}


async def test_sign_up_with_valid_code_creates_a_logged_in_member(
    client: GraphQLClient, mailed_code: MailedCode, settings: Settings
) -> None:
    # given a code mailed to a new address
    email = unique_email()
    code = await mailed_code(client, email)

    # when the person signs up with it
    variables = sign_up_input(email, code, nickname="Strawberry")
    result = await client.execute(SIGN_UP, variables)

    # then they are a member, logged in, and the code is used up
    payload = result.ok()["signUp"]
    member = await Member.get(email=email)
    assert payload["member"] == {
        "id": str(member.id),
        "nickname": "Strawberry",
        "email": email,
        "isSocialMember": False,
        "bricksCount": 0,
    }
    assert decode_access_token(payload["accessToken"], settings).id == member.id
    assert member.nickname_key == "strawberry"
    assert member.password_hash is not None and member.password_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(member.password_hash, PASSWORD)
    assert PASSWORD not in str(result.body)
    assert await TokenFamily.filter(member_id=member.id, revoked_at=None).count() == 1
    assert not await EmailVerification.filter(email=email).exists()
    assert {"access_token", "refresh_token"} <= set(result.cookies.keys())


async def test_sign_up_with_wrong_code_is_bad_input_and_counts_the_attempt(
    client: GraphQLClient, mailed_code: MailedCode
) -> None:
    # given a pending code
    email = unique_email()
    code = await mailed_code(client, email)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    # when signing up with another code
    result = await client.execute(SIGN_UP, sign_up_input(email, wrong))

    # then the code field is rejected, the attempt is counted and no member exists
    assert result.code == "BAD_USER_INPUT" and result.field == "verificationCode"
    assert (await EmailVerification.get(email=email)).attempts == 1
    assert not await Member.filter(email=email).exists()


async def test_sign_up_without_requesting_a_code_is_bad_input(client: GraphQLClient) -> None:
    # when someone signs up with a made-up code
    email = unique_email()
    result = await client.execute(SIGN_UP, sign_up_input(email, "123456"))

    # then it is refused on the code field
    assert result.code == "BAD_USER_INPUT" and result.field == "verificationCode"
    assert not await Member.filter(email=email).exists()


async def test_sign_up_after_five_wrong_codes_refuses_the_right_one(
    client: GraphQLClient, mailed_code: MailedCode
) -> None:
    # given five wrong guesses
    email = unique_email()
    code = await mailed_code(client, email)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert (await client.execute(SIGN_UP, sign_up_input(email, wrong))).field == "verificationCode"

    # when the right code is finally entered
    result = await client.execute(SIGN_UP, sign_up_input(email, code))

    # then it is refused too: the code is burnt
    assert result.code == "BAD_USER_INPUT" and result.field == "verificationCode"
    assert "Too many" in result.error["message"]
    assert not await Member.filter(email=email).exists()


async def test_sign_up_with_expired_code_is_bad_input(client: GraphQLClient, mailed_code: MailedCode) -> None:
    # given a code older than five minutes
    email = unique_email()
    code = await mailed_code(client, email)
    await EmailVerification.filter(email=email).update(expires_at=datetime.now(UTC) - timedelta(seconds=1))

    # when it is used
    result = await client.execute(SIGN_UP, sign_up_input(email, code))

    # then it is refused
    assert result.code == "BAD_USER_INPUT" and result.field == "verificationCode"
    assert not await Member.filter(email=email).exists()


async def test_sign_up_with_a_replaced_code_is_bad_input(
    client: GraphQLClient, mailed_code: MailedCode
) -> None:
    # given a code that a newer request replaced
    email = unique_email()
    old = await mailed_code(client, email)
    new = await mailed_code(client, email)
    if old == new:
        pytest.skip("the two random codes happen to be equal")

    # when the old code is used
    result = await client.execute(SIGN_UP, sign_up_input(email, old))

    # then it no longer works
    assert result.code == "BAD_USER_INPUT" and result.field == "verificationCode"
    assert not await Member.filter(email=email).exists()


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("ab1!", "too short"),
        ("abcdefgh12345!@x", "too long"),
        ("abcdefgh!", "needs a letter and a digit"),
        ("12345678!", "needs a letter and a digit"),
        ("abcd12345", "needs one of"),
        ("abcd 1234!", "only letters"),
    ],
)
async def test_sign_up_with_weak_password_is_bad_input(
    client: GraphQLClient, password: str, problem: str
) -> None:
    # when a password breaks a rule
    email = unique_email()
    result = await client.execute(SIGN_UP, sign_up_input(email, "000000", password=password))

    # then the password field is named, with the rule
    assert result.code == "BAD_USER_INPUT" and result.field == "password"
    assert problem in result.error["message"]
    assert not await Member.filter(email=email).exists()


@pytest.mark.parametrize("nickname", ["ab", "abcdefghijk", "ab cd"])
async def test_sign_up_with_invalid_nickname_is_bad_input(client: GraphQLClient, nickname: str) -> None:
    # when the nickname is too short, too long or has spaces
    email = unique_email()
    result = await client.execute(SIGN_UP, sign_up_input(email, "000000", nickname=nickname))

    # then the nickname field is named
    assert result.code == "BAD_USER_INPUT" and result.field == "nickname"
    assert not await Member.filter(email=email).exists()


async def test_sign_up_with_malformed_email_is_bad_input(client: GraphQLClient) -> None:
    # when the email is not an address
    result = await client.execute(SIGN_UP, sign_up_input("someone@", "000000"))

    # then the email field is named
    assert result.code == "BAD_USER_INPUT" and result.field == "email"
    assert not await Member.filter(email="someone@").exists()


async def test_sign_up_with_registered_email_is_conflict(
    client: GraphQLClient, new_account: Callable[..., Awaitable[Account]]
) -> None:
    # given a registered member
    account = await new_account()

    # when someone signs up with their address
    result = await client.execute(SIGN_UP, sign_up_input(str(account.member.email), "000000"))

    # then it is a conflict on the email
    assert result.code == "CONFLICT" and result.field == "email"
    assert await Member.filter(email=account.member.email).count() == 1


async def test_sign_up_with_nickname_taken_in_other_case_is_conflict(
    client: GraphQLClient, mailed_code: MailedCode, new_account: Callable[..., Awaitable[Account]]
) -> None:
    # given a member named in lower case, and a valid code for a new address
    taken = unique_nickname("n").lower()
    await new_account(nickname=taken)
    email = unique_email()
    code = await mailed_code(client, email)

    # when signing up with the same nickname in upper case
    result = await client.execute(SIGN_UP, sign_up_input(email, code, nickname=taken.upper()))

    # then it is a conflict on the nickname and the code is still usable
    assert result.code == "CONFLICT" and result.field == "nickname"
    assert not await Member.filter(email=email).exists()
    assert await EmailVerification.filter(email=email).exists()


async def test_sign_up_twice_with_the_same_code_is_refused(
    client: GraphQLClient, mailed_code: MailedCode
) -> None:
    # given a member who signed up with a code
    email = unique_email()
    code = await mailed_code(client, email)
    assert (await client.execute(SIGN_UP, sign_up_input(email, code))).ok()

    # when the same email and code are used again
    result = await client.execute(SIGN_UP, sign_up_input(email, code))

    # then the address is taken
    assert result.code == "CONFLICT" and result.field == "email"
    assert await Member.filter(email=email).count() == 1


async def test_sign_up_concurrently_with_one_code_creates_one_member(
    app: AppServer, mailed_code: MailedCode
) -> None:
    # given one valid code
    email = unique_email()
    async with GraphQLClient(app.url) as a, GraphQLClient(app.url) as b:
        code = await mailed_code(a, email)

        # when two sign-ups race with it (different nicknames)
        results = await asyncio.gather(
            a.execute(SIGN_UP, sign_up_input(email, code)),
            b.execute(SIGN_UP, sign_up_input(email, code)),
        )

    # then exactly one member exists and the other request got a clean error
    assert [result.code for result in results].count(None) == 1
    assert {result.code for result in results} - {None} <= {"CONFLICT", "BAD_USER_INPUT"}
    assert await Member.filter(email=email).count() == 1
    assert not await EmailVerification.filter(email=email).exists()

"""emailAvailability and nicknameAvailability: available, or why not."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from models.accounts import Member
from tests.support.factories import Account, unique_email, unique_nickname
from tests.support.graphql import GraphQLClient

EMAIL_AVAILABILITY = "query($e: String!) { emailAvailability(email: $e) { available reason } }"
NICKNAME_AVAILABILITY = "query($n: String!) { nicknameAvailability(nickname: $n) { available reason } }"

NewAccount = Callable[..., Awaitable[Account]]


async def test_email_availability_of_new_address_is_available(client: GraphQLClient) -> None:
    # when a fresh address is checked
    email = unique_email()
    result = await client.execute(EMAIL_AVAILABILITY, {"e": email})

    # then it is available
    assert result.ok() == {"emailAvailability": {"available": True, "reason": None}}
    assert not await Member.filter(email=email).exists()


async def test_email_availability_of_registered_address_is_taken(
    client: GraphQLClient, new_account: NewAccount
) -> None:
    # given a member
    account = await new_account()

    # when their address is checked in upper case
    result = await client.execute(EMAIL_AVAILABILITY, {"e": str(account.member.email).upper()})

    # then it is taken
    assert result.ok() == {"emailAvailability": {"available": False, "reason": "taken"}}


async def test_email_availability_of_malformed_address_is_invalid_format(client: GraphQLClient) -> None:
    # when something that is no address is checked
    result = await client.execute(EMAIL_AVAILABILITY, {"e": "nobody@nowhere"})

    # then the reason says so
    assert result.ok() == {"emailAvailability": {"available": False, "reason": "invalid format"}}


@pytest.mark.parametrize(
    ("nickname", "reason"), [("ab", "too short"), ("abcdefghijk", "too long"), ("a b c", "invalid format")]
)
async def test_nickname_availability_of_invalid_nickname_gives_the_rule(
    client: GraphQLClient, nickname: str, reason: str
) -> None:
    # when a nickname breaking a rule is checked
    result = await client.execute(NICKNAME_AVAILABILITY, {"n": nickname})

    # then the reason names the rule
    assert result.ok() == {"nicknameAvailability": {"available": False, "reason": reason}}


async def test_nickname_availability_is_case_insensitive(
    client: GraphQLClient, new_account: NewAccount
) -> None:
    # given a member with a lower-case nickname
    taken = unique_nickname("c").lower()
    await new_account(nickname=taken)

    # when the same nickname in upper case is checked
    result = await client.execute(NICKNAME_AVAILABILITY, {"n": taken.upper()})

    # then it is taken
    assert result.ok() == {"nicknameAvailability": {"available": False, "reason": "taken"}}


async def test_nickname_availability_of_free_nickname_is_available(client: GraphQLClient) -> None:
    # when an unused nickname is checked
    nickname = unique_nickname("f")
    result = await client.execute(NICKNAME_AVAILABILITY, {"n": nickname})

    # then it is available
    assert result.ok() == {"nicknameAvailability": {"available": True, "reason": None}}
    assert not await Member.filter(nickname_key=nickname.casefold()).exists()

"""updateNickname: the sign-up rules, unique case-insensitively."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from models.accounts import Member
from tests.support.factories import Account, unique_nickname
from tests.support.graphql import GraphQLClient

UPDATE_NICKNAME = (
    "mutation Update($nickname: String!) { updateNickname(nickname: $nickname) { id nickname } }"
)

NewAccount = Callable[..., Awaitable[Account]]
ClientFor = Callable[[Account], GraphQLClient]


async def test_update_nickname_changes_it(client_for: ClientFor, new_account: NewAccount) -> None:
    # given a member
    account = await new_account()
    nickname = unique_nickname("U")

    # when they pick a new nickname
    result = await client_for(account).execute(UPDATE_NICKNAME, {"nickname": nickname})

    # then it is stored with its case-insensitive key
    assert result.ok() == {"updateNickname": {"id": account.id, "nickname": nickname}}
    member = await Member.get(id=account.member.id)
    assert member.nickname == nickname and member.nickname_key == nickname.casefold()


async def test_update_nickname_to_own_nickname_in_other_case_is_allowed(
    client_for: ClientFor, new_account: NewAccount
) -> None:
    # given a member with a lower-case nickname
    account = await new_account(nickname=unique_nickname("o").lower())

    # when they only change its case
    result = await client_for(account).execute(UPDATE_NICKNAME, {"nickname": account.member.nickname.upper()})

    # then that is fine
    assert result.ok()["updateNickname"]["nickname"] == account.member.nickname.upper()
    assert (await Member.get(id=account.member.id)).nickname == account.member.nickname.upper()


async def test_update_nickname_taken_by_another_member_is_conflict(
    client_for: ClientFor, new_account: NewAccount
) -> None:
    # given another member's nickname
    other = await new_account(nickname=unique_nickname("t").lower())
    account = await new_account()

    # when a member takes it in upper case
    result = await client_for(account).execute(UPDATE_NICKNAME, {"nickname": other.member.nickname.upper()})

    # then it is a conflict on the nickname and nothing changed
    assert result.code == "CONFLICT" and result.field == "nickname"
    assert (await Member.get(id=account.member.id)).nickname == account.member.nickname


async def test_update_nickname_too_short_is_bad_input(client_for: ClientFor, new_account: NewAccount) -> None:
    # given a member
    account = await new_account()

    # when the new nickname is two characters
    result = await client_for(account).execute(UPDATE_NICKNAME, {"nickname": "ab"})

    # then the field is named and nothing changed
    assert result.code == "BAD_USER_INPUT" and result.field == "nickname"
    assert (await Member.get(id=account.member.id)).nickname == account.member.nickname


async def test_update_nickname_anonymously_is_unauthenticated(client: GraphQLClient) -> None:
    # when nobody is logged in
    nickname = unique_nickname("a")
    result = await client.execute(UPDATE_NICKNAME, {"nickname": nickname})

    # then it is refused
    assert result.code == "UNAUTHENTICATED" and result.data == {}
    assert not await Member.filter(nickname=nickname).exists()

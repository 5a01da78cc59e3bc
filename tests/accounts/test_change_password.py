"""changePassword: needs the current password; ends every other session."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from argon2 import PasswordHasher

from models.accounts import Member
from tests.accounts.conftest import PASSWORD, family_of, log_in
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

CHANGE_PASSWORD = """
mutation Change($current: String!, $new: String!) {
  changePassword(currentPassword: $current, newPassword: $new)
}
"""
NEW_PASSWORD = "newpass99#"

WithPassword = Callable[..., Awaitable[Account]]


async def test_change_password_replaces_it_and_revokes_other_sessions(
    app: AppServer, account_with_password: WithPassword
) -> None:
    # given a member logged in on two devices
    account = await account_with_password()
    here, there = await log_in(app, account), await log_in(app, account)

    # when they change the password on the first device
    async with GraphQLClient(app.url, token=here["accessToken"]) as session:
        result = await session.execute(CHANGE_PASSWORD, {"current": PASSWORD, "new": NEW_PASSWORD})

    # then the new password is stored, the other session is ended and this one survives
    assert result.ok() == {"changePassword": True}
    stored = (await Member.get(id=account.member.id)).password_hash
    assert stored is not None and PasswordHasher().verify(stored, NEW_PASSWORD)
    assert (await family_of(there["refreshToken"])).revoked_at is not None
    assert (await family_of(here["refreshToken"])).revoked_at is None


async def test_change_password_with_wrong_current_password_is_forbidden(
    client_for: Callable[[Account], GraphQLClient], account_with_password: WithPassword
) -> None:
    # given a member
    account = await account_with_password()
    before = (await Member.get(id=account.member.id)).password_hash

    # when the current password given is wrong
    result = await client_for(account).execute(CHANGE_PASSWORD, {"current": "wrong123!", "new": NEW_PASSWORD})

    # then it is forbidden and nothing changed
    assert result.code == "FORBIDDEN" and result.data == {}
    assert (await Member.get(id=account.member.id)).password_hash == before


async def test_change_password_to_a_weak_one_is_bad_input(
    client_for: Callable[[Account], GraphQLClient], account_with_password: WithPassword
) -> None:
    # given a member
    account = await account_with_password()
    before = (await Member.get(id=account.member.id)).password_hash

    # when the new password has no symbol
    result = await client_for(account).execute(CHANGE_PASSWORD, {"current": PASSWORD, "new": "abcd12345"})

    # then the newPassword field is named and nothing changed
    assert result.code == "BAD_USER_INPUT" and result.field == "newPassword"
    assert (await Member.get(id=account.member.id)).password_hash == before


async def test_change_password_anonymously_is_unauthenticated(client: GraphQLClient) -> None:
    # when nobody is logged in
    result = await client.execute(CHANGE_PASSWORD, {"current": PASSWORD, "new": NEW_PASSWORD})

    # then it is refused
    assert result.code == "UNAUTHENTICATED" and result.data == {}

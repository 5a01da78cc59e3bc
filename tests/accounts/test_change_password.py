"""changePassword: needs the current password; ends every other session."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from argon2 import PasswordHasher

from infra.tokens import hash_refresh_token
from models.accounts import Member, TokenFamily
from tests.accounts.conftest import PASSWORD
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

CHANGE_PASSWORD = """
mutation Change($current: String!, $new: String!) {
  changePassword(currentPassword: $current, newPassword: $new)
}
"""
LOG_IN = "mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { refreshToken accessToken } }"
NEW_PASSWORD = "newpass99#"

WithPassword = Callable[..., Awaitable[Account]]


async def family_of(refresh_token: str) -> TokenFamily:
    return await TokenFamily.get(tokens__token_hash=hash_refresh_token(refresh_token))


async def test_change_password_replaces_it_and_revokes_other_sessions(
    app: AppServer, account_with_password: WithPassword
) -> None:
    # given a member logged in on two devices
    account = await account_with_password()
    async with GraphQLClient(app.url) as anonymous:
        here = (await anonymous.execute(LOG_IN, {"e": account.member.email, "p": PASSWORD})).ok()["logIn"]
        there = (await anonymous.execute(LOG_IN, {"e": account.member.email, "p": PASSWORD})).ok()["logIn"]

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

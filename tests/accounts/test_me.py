"""me and member(id): who is asking, and what of a member each viewer may see."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from infra.settings import Settings
from infra.tokens import issue_access_token
from models.accounts import Member
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient

ME = "query { me { id nickname email isSocialMember bricksCount profileImageUrl createdAt } }"
MEMBER = "query Member($id: ID!) { member(id: $id) { id nickname email } }"
UPDATE_NICKNAME = "mutation($n: String!) { updateNickname(nickname: $n) { id } }"

NewAccount = Callable[..., Awaitable[Account]]


async def test_me_when_anonymous_is_null(client: GraphQLClient) -> None:
    # when nobody is logged in
    result = await client.execute(ME)

    # then me is null, not an error
    assert result.ok() == {"me": None}


async def test_me_returns_the_viewer_with_their_email(
    client_for: Callable[[Account], GraphQLClient], new_account: NewAccount
) -> None:
    # given a logged-in member
    account = await new_account()

    # when they ask who they are
    result = await client_for(account).execute(ME)

    # then they see themselves, email included, with the default picture
    me = result.ok()["me"]
    stored = await Member.get(id=account.member.id)
    assert me["id"] == account.id and me["email"] == stored.email and me["nickname"] == stored.nickname
    assert me["isSocialMember"] is False and me["bricksCount"] == 0
    assert me["profileImageUrl"] == "/static/defaults/profile.svg"


async def test_me_with_invalid_token_is_unauthenticated_not_anonymous(
    forged_token_client: GraphQLClient,
) -> None:
    # when a request carries a forged token
    me = await forged_token_client.execute(ME)
    update = await forged_token_client.execute(UPDATE_NICKNAME, {"n": "forged"})

    # then it is refused with the reason, never read as anonymous (the contract: UNAUTHENTICATED is
    # for a present but invalid, expired or revoked token), and nothing is changed
    assert me.code == "UNAUTHENTICATED" and me.error["extensions"]["reason"] == "TOKEN_INVALID"
    assert me.data == {}
    assert update.code == "UNAUTHENTICATED" and "invalid or has expired" in update.error["message"]
    assert not await Member.filter(nickname="forged").exists()


async def test_member_of_someone_else_hides_their_email(
    client_for: Callable[[Account], GraphQLClient], new_account: NewAccount
) -> None:
    # given two members
    viewer = await new_account()
    other = await new_account()

    # when one looks the other up
    result = await client_for(viewer).execute(MEMBER, {"id": other.id})

    # then the email is hidden
    assert result.ok() == {"member": {"id": other.id, "nickname": other.member.nickname, "email": None}}


async def test_member_anonymously_hides_the_email(client: GraphQLClient, new_account: NewAccount) -> None:
    # given a member
    other = await new_account()

    # when an anonymous visitor looks them up
    result = await client.execute(MEMBER, {"id": other.id})

    # then the email is hidden
    assert result.ok() == {"member": {"id": other.id, "nickname": other.member.nickname, "email": None}}


async def test_member_with_unknown_id_is_null(client: GraphQLClient) -> None:
    # when an id nobody has is looked up
    result = await client.execute(MEMBER, {"id": "999999999"})

    # then the member is null
    assert result.ok() == {"member": None}
    assert not await Member.filter(id=999999999).exists()


async def test_me_with_expired_token_is_rejected_for_protected_fields(
    client: GraphQLClient, new_account: NewAccount, settings: Settings
) -> None:
    # given an access token issued with a lifetime already over
    account = await new_account()
    expired_settings = Settings(**{**settings.model_dump(by_alias=True), "ACCESS_TOKEN_TTL": -60})
    token = issue_access_token(account.member.id, expired_settings).token

    # when it is used on a field that needs a viewer
    result = await client.execute(
        UPDATE_NICKNAME, {"n": "expired"}, headers={"authorization": f"Bearer {token}"}
    )

    # then it is UNAUTHENTICATED, not anonymous success
    assert result.code == "UNAUTHENTICATED"
    assert (await Member.get(id=account.member.id)).nickname == account.member.nickname

"""leaveChallenge: members give up their seat; the leader cannot leave."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from models.challenges import Challenge, Membership
from tests.support.factories import Account, add_member, make_challenge
from tests.support.graphql import GraphQLClient

LEAVE_CHALLENGE = "mutation LeaveChallenge($id: ID!) { leaveChallenge(id: $id) }"

NewAccount = Callable[..., Awaitable[Account]]
ClientFor = Callable[[Account], GraphQLClient]


async def test_leave_challenge_frees_the_seat(new_account: NewAccount, client_for: ClientFor) -> None:
    # given
    leader, member = await new_account(), await new_account()
    challenge = await make_challenge(leader)
    await add_member(challenge, member)

    # when
    result = await client_for(member).execute(LEAVE_CHALLENGE, {"id": str(challenge.id)})

    # then
    assert result.ok() == {"leaveChallenge": str(challenge.id)}
    assert (await Challenge.get(id=challenge.id)).current_attendance == 1
    assert not await Membership.filter(challenge_id=challenge.id, member_id=member.member.id).exists()


async def test_leave_challenge_as_leader_is_forbidden(new_account: NewAccount, client_for: ClientFor) -> None:
    # given
    leader = await new_account()
    challenge = await make_challenge(leader)

    # when
    result = await client_for(leader).execute(LEAVE_CHALLENGE, {"id": str(challenge.id)})

    # then
    assert result.code == "FORBIDDEN"
    assert "delete" in result.error["message"]
    assert result.data == {}
    assert (await Challenge.get(id=challenge.id)).current_attendance == 1
    assert await Membership.filter(challenge_id=challenge.id, member_id=leader.member.id).exists()


async def test_leave_challenge_not_a_member_is_forbidden(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    leader, stranger = await new_account(), await new_account()
    challenge = await make_challenge(leader)

    # when
    result = await client_for(stranger).execute(LEAVE_CHALLENGE, {"id": str(challenge.id)})

    # then
    assert result.code == "FORBIDDEN"
    assert (await Challenge.get(id=challenge.id)).current_attendance == 1


async def test_leave_challenge_unknown_id_is_not_found(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    member = await new_account()

    # when
    result = await client_for(member).execute(LEAVE_CHALLENGE, {"id": "987654321"})

    # then
    assert result.code == "NOT_FOUND"
    assert result.data == {}


async def test_leave_challenge_anonymous_is_unauthenticated(
    new_account: NewAccount, client: GraphQLClient
) -> None:
    # given
    challenge = await make_challenge(await new_account())

    # when
    result = await client.execute(LEAVE_CHALLENGE, {"id": str(challenge.id)})

    # then
    assert result.code == "UNAUTHENTICATED"
    assert (await Challenge.get(id=challenge.id)).current_attendance == 1

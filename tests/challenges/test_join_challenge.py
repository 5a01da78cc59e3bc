"""joinChallenge: seats, conflicts, the leader's notification and the atomic seat limit."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable

from models.challenges import Challenge, Membership, Role
from models.notifications import Notification, NotificationType
from tests.challenges.inputs import service_today
from tests.conftest import postgres_only
from tests.support.factories import Account, add_member, make_challenge
from tests.support.graphql import GraphQLClient, Result
from tests.support.servers import AppServer

JOIN_CHALLENGE = """
mutation JoinChallenge($id: ID!) {
  joinChallenge(id: $id) { role joinedAt member { id } challenge { id currentAttendance viewerRole } }
}
"""

NewAccount = Callable[..., Awaitable[Account]]
ClientFor = Callable[[Account], GraphQLClient]


async def test_join_challenge_takes_a_seat_and_notifies_leader(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    leader, joiner = await new_account(), await new_account()
    challenge = await make_challenge(leader, title="Morning run")

    # when
    result = await client_for(joiner).execute(JOIN_CHALLENGE, {"id": str(challenge.id)})

    # then
    data = result.ok()["joinChallenge"]
    assert data["role"] == "CHALLENGER"
    assert data["member"] == {"id": joiner.id}
    assert data["challenge"] == {"id": str(challenge.id), "currentAttendance": 2, "viewerRole": "CHALLENGER"}
    assert (await Challenge.get(id=challenge.id)).current_attendance == 2
    assert await Membership.filter(
        challenge_id=challenge.id, member_id=joiner.member.id, role=Role.CHALLENGER
    ).exists()
    notification = await Notification.get(member_id=leader.member.id, challenge_id=challenge.id)
    assert notification.type == NotificationType.REGISTER
    assert joiner.member.nickname in notification.content and "Morning run" in notification.content


async def test_join_challenge_twice_is_conflict(new_account: NewAccount, client_for: ClientFor) -> None:
    # given
    leader, joiner = await new_account(), await new_account()
    challenge = await make_challenge(leader)
    await add_member(challenge, joiner)

    # when
    result = await client_for(joiner).execute(JOIN_CHALLENGE, {"id": str(challenge.id)})

    # then
    assert result.code == "CONFLICT"
    assert result.data == {}
    assert (await Challenge.get(id=challenge.id)).current_attendance == 2
    assert await Membership.filter(challenge_id=challenge.id).count() == 2


async def test_join_challenge_as_leader_is_conflict(new_account: NewAccount, client_for: ClientFor) -> None:
    # given
    leader = await new_account()
    challenge = await make_challenge(leader)

    # when
    result = await client_for(leader).execute(JOIN_CHALLENGE, {"id": str(challenge.id)})

    # then
    assert result.code == "CONFLICT"
    assert (await Challenge.get(id=challenge.id)).current_attendance == 1


async def test_join_challenge_full_is_conflict(new_account: NewAccount, client_for: ClientFor) -> None:
    # given
    leader, member, late = await new_account(), await new_account(), await new_account()
    challenge = await make_challenge(leader, limit_attendance=2)
    await add_member(challenge, member)

    # when
    result = await client_for(late).execute(JOIN_CHALLENGE, {"id": str(challenge.id)})

    # then
    assert result.code == "CONFLICT"
    assert "full" in result.error["message"]
    assert (await Challenge.get(id=challenge.id)).current_attendance == 2
    assert not await Membership.filter(challenge_id=challenge.id, member_id=late.member.id).exists()
    assert not await Notification.filter(member_id=leader.member.id, challenge_id=challenge.id).exists()


async def test_join_challenge_past_due_date_is_conflict(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    leader, joiner = await new_account(), await new_account()
    yesterday = service_today() - dt.timedelta(days=1)
    challenge = await make_challenge(leader, start_date=yesterday - dt.timedelta(days=10), due_date=yesterday)

    # when
    result = await client_for(joiner).execute(JOIN_CHALLENGE, {"id": str(challenge.id)})

    # then
    assert result.code == "CONFLICT"
    assert "ended" in result.error["message"]
    assert not await Membership.filter(challenge_id=challenge.id, member_id=joiner.member.id).exists()


async def test_join_challenge_unknown_id_is_not_found(new_account: NewAccount, client_for: ClientFor) -> None:
    # given
    joiner = await new_account()

    # when
    result = await client_for(joiner).execute(JOIN_CHALLENGE, {"id": "987654321"})

    # then
    assert result.code == "NOT_FOUND"
    assert not await Membership.filter(member_id=joiner.member.id).exists()


async def test_join_challenge_malformed_id_is_bad_user_input(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    joiner = await new_account()

    # when
    result = await client_for(joiner).execute(JOIN_CHALLENGE, {"id": "abc"})

    # then
    assert result.code == "BAD_USER_INPUT"
    assert result.field == "id"


async def test_join_challenge_anonymous_is_unauthenticated(
    new_account: NewAccount, client: GraphQLClient
) -> None:
    # given
    challenge = await make_challenge(await new_account())

    # when
    result = await client.execute(JOIN_CHALLENGE, {"id": str(challenge.id)})

    # then
    assert result.code == "UNAUTHENTICATED"
    assert (await Challenge.get(id=challenge.id)).current_attendance == 1


async def _join_all(urls: list[str], accounts: list[Account], challenge_id: int) -> list[Result]:
    clients = [
        GraphQLClient(urls[index % len(urls)], token=account.token) for index, account in enumerate(accounts)
    ]
    try:
        return await asyncio.gather(
            *(graphql.execute(JOIN_CHALLENGE, {"id": str(challenge_id)}) for graphql in clients)
        )
    finally:
        for graphql in clients:
            await graphql.aclose()


async def _assert_seats_held(results: list[Result], challenge_id: int, free_seats: int, limit: int) -> None:
    succeeded = [result for result in results if not result.errors]
    refused = [result for result in results if result.errors]
    assert len(succeeded) == free_seats
    assert {result.code for result in refused} == {"CONFLICT"}
    challenge = await Challenge.get(id=challenge_id)
    assert challenge.current_attendance == challenge.limit_attendance == limit
    assert await Membership.filter(challenge_id=challenge_id).count() == limit
    assert await Notification.filter(challenge_id=challenge_id).count() == free_seats


async def test_join_challenge_concurrent_joins_never_overfill(
    new_account: NewAccount, app: AppServer
) -> None:
    # given: 3 free seats and 25 members racing for them
    leader = await new_account()
    challenge = await make_challenge(leader, limit_attendance=4)
    joiners = [await new_account() for _ in range(25)]

    # when
    results = await _join_all([app.url], joiners, challenge.id)

    # then
    await _assert_seats_held(results, challenge.id, free_seats=3, limit=4)


@postgres_only
async def test_join_challenge_concurrent_joins_on_two_instances_never_overfill(
    new_account: NewAccount, app: AppServer, start_app: Callable[..., AppServer]
) -> None:
    # given: two nodes on the same database, 30 members split between them, 3 free seats
    second = start_app()
    leader = await new_account()
    challenge = await make_challenge(leader, limit_attendance=4)
    joiners = [await new_account() for _ in range(30)]

    # when
    results = await _join_all([app.url, second.url], joiners, challenge.id)

    # then
    await _assert_seats_held(results, challenge.id, free_seats=3, limit=4)


async def test_join_challenge_same_member_concurrently_joins_once(
    new_account: NewAccount, app: AppServer
) -> None:
    # given
    leader, joiner = await new_account(), await new_account()
    challenge = await make_challenge(leader)

    # when
    results = await _join_all([app.url], [joiner] * 8, challenge.id)

    # then
    assert sum(1 for result in results if not result.errors) == 1
    assert {result.code for result in results if result.errors} == {"CONFLICT"}
    assert (await Challenge.get(id=challenge.id)).current_attendance == 2
    assert await Membership.filter(challenge_id=challenge.id, member_id=joiner.member.id).count() == 1

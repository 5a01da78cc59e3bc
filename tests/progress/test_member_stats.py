"""Member.stats: the member's own numbers over their challenges; null for anyone else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from tests.challenges.inputs import service_today
from tests.progress.conftest import Race
from tests.support.factories import Account, add_member, add_proof, at_noon, make_challenge
from tests.support.graphql import GraphQLClient

MY_STATS = "query { me { stats { activeChallenges finishedChallenges averageRate bestStreak } } }"
MEMBER_STATS = "query Member($id: ID!) { member(id: $id) { id stats { activeChallenges } } }"

NewAccount = Callable[..., Awaitable[Account]]
ClientFor = Callable[[Account], GraphQLClient]


async def test_my_stats_average_ongoing_and_finished_challenges(
    race: Race, new_account: NewAccount, client_for: ClientFor
) -> None:
    # given the misser (1 of 3 so far) also finished a 2-day challenge with both days proved,
    # and joined one that has not started
    today = service_today()
    start, due = today - dt.timedelta(days=10), today - dt.timedelta(days=9)
    finished = await make_challenge(
        await new_account(), start_date=start, due_date=due, joined_at=at_noon(start)
    )
    await add_member(finished, race.misser, joined_at=at_noon(start))
    await add_proof(finished, race.misser, on=start)
    await add_proof(finished, race.misser, on=due)
    upcoming = await make_challenge(await new_account(), start_date=today + dt.timedelta(days=2))
    await add_member(upcoming, race.misser)

    # when
    result = await client_for(race.misser).execute(MY_STATS)

    # then the average is over the running (1/3) and finished (1) ones
    assert result.ok()["me"]["stats"] == {
        "activeChallenges": 1,
        "finishedChallenges": 1,
        "averageRate": (1 / 3 + 1) / 2,
        "bestStreak": 2,
    }


async def test_stats_of_a_new_member_are_neutral(new_account: NewAccount, client_for: ClientFor) -> None:
    # given a member in no challenge
    member = await new_account()

    # when
    result = await client_for(member).execute(MY_STATS)

    # then
    assert result.ok()["me"]["stats"] == {
        "activeChallenges": 0,
        "finishedChallenges": 0,
        "averageRate": 1.0,
        "bestStreak": 0,
    }


async def test_stats_of_another_member_are_null(
    race: Race, client_for: ClientFor, client: GraphQLClient
) -> None:
    # when a fellow member and an anonymous visitor look at the keeper
    fellow = await client_for(race.misser).execute(MEMBER_STATS, {"id": race.keeper.id})
    anonymous = await client.execute(MEMBER_STATS, {"id": race.keeper.id})

    # then
    assert fellow.ok()["member"] == {"id": race.keeper.id, "stats": None}
    assert anonymous.ok()["member"] == {"id": race.keeper.id, "stats": None}

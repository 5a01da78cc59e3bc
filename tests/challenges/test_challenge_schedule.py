"""Schedules: given as ScheduleInput or parsed from frequency, on create and update; the status
of a challenge and the status filter."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Awaitable, Callable

import pytest

from models.challenges import Challenge, SchedulePeriod
from tests.challenges.inputs import challenge_input, service_today
from tests.support.factories import Account, make_challenge
from tests.support.graphql import GraphQLClient

CREATE_CHALLENGE = """
mutation CreateChallenge($input: CreateChallengeInput!) {
  createChallenge(input: $input) { id frequency status schedule { period times } }
}
"""
UPDATE_CHALLENGE = """
mutation UpdateChallenge($id: ID!, $input: UpdateChallengeInput!) {
  updateChallenge(id: $id, input: $input) { frequency schedule { period times } }
}
"""
CHALLENGES_BY_STATUS = """
query ByStatus($filter: ChallengeFilter) {
  challenges(filter: $filter, first: 20) { totalCount nodes { title status } }
}
"""

NewAccount = Callable[..., Awaitable[Account]]
ClientFor = Callable[[Account], GraphQLClient]


@pytest.mark.parametrize(
    ("frequency", "period", "times"),
    [
        ("DAILY", "DAY", 1),
        ("daily", "DAY", 1),
        (" 매 일 ", "DAY", 1),
        ("3 times a week", "WEEK", 3),
        ("3TIMES A WEEK", "WEEK", 3),
        ("1 time a week", "WEEK", 1),
        ("weekly 5", "WEEK", 5),
        ("Weekly7", "WEEK", 7),
        ("주 2회", "WEEK", 2),
        ("주3회", "WEEK", 3),
    ],
)
async def test_create_challenge_parses_schedule_from_frequency(
    new_account: NewAccount, client_for: ClientFor, frequency: str, period: str, times: int
) -> None:
    # given
    leader = await new_account()

    # when
    result = await client_for(leader).execute(
        CREATE_CHALLENGE, {"input": challenge_input(frequency=frequency)}
    )

    # then
    data = result.ok()["createChallenge"]
    assert data["schedule"] == {"period": period, "times": times}
    assert data["frequency"] == frequency.strip()
    challenge = await Challenge.get(id=int(data["id"]))
    assert (challenge.schedule_period, challenge.schedule_times) == (SchedulePeriod(period), times)


@pytest.mark.parametrize("frequency", ["every other day", "8 times a week", "주 0회", "twice a week"])
async def test_create_challenge_unparseable_frequency_without_schedule_is_bad_input(
    new_account: NewAccount, client_for: ClientFor, frequency: str
) -> None:
    # given
    leader = await new_account()

    # when
    result = await client_for(leader).execute(
        CREATE_CHALLENGE, {"input": challenge_input(frequency=frequency)}
    )

    # then the error names the field and lists the accepted forms
    assert result.code == "BAD_USER_INPUT"
    assert result.field == "frequency"
    for form in ('"DAILY"', '"매일"', '"N times a week"', '"weekly N"', '"주 N회"'):
        assert form in result.error["message"]
    assert result.data == {}
    assert not await Challenge.filter(leader_id=leader.member.id).exists()


async def test_create_challenge_schedule_input_wins_over_frequency(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    leader = await new_account()
    values = challenge_input(frequency="평일 저녁마다", schedule={"period": "WEEK", "times": 5})

    # when
    result = await client_for(leader).execute(CREATE_CHALLENGE, {"input": values})

    # then the frequency stays display text
    data = result.ok()["createChallenge"]
    assert data["schedule"] == {"period": "WEEK", "times": 5}
    assert data["frequency"] == "평일 저녁마다"


@pytest.mark.parametrize(
    "schedule",
    [{"period": "DAY", "times": 2}, {"period": "WEEK", "times": 8}, {"period": "WEEK", "times": 0}],
)
async def test_create_challenge_out_of_range_schedule_is_bad_input(
    new_account: NewAccount, client_for: ClientFor, schedule: dict[str, object]
) -> None:
    # given
    leader = await new_account()

    # when
    result = await client_for(leader).execute(CREATE_CHALLENGE, {"input": challenge_input(schedule=schedule)})

    # then
    assert result.code == "BAD_USER_INPUT"
    assert result.field == "schedule"
    assert not await Challenge.filter(leader_id=leader.member.id).exists()


async def test_update_challenge_new_frequency_reparses_schedule(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given a daily challenge
    leader = await new_account()
    challenge = await make_challenge(leader)

    # when its frequency changes
    result = await client_for(leader).execute(
        UPDATE_CHALLENGE, {"id": str(challenge.id), "input": {"frequency": "주 4회"}}
    )

    # then
    assert result.ok()["updateChallenge"] == {
        "frequency": "주 4회",
        "schedule": {"period": "WEEK", "times": 4},
    }
    stored = await Challenge.get(id=challenge.id)
    assert (stored.schedule_period, stored.schedule_times) == (SchedulePeriod.WEEK, 4)


async def test_update_challenge_unparseable_frequency_is_bad_input(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    leader = await new_account()
    challenge = await make_challenge(leader)

    # when
    result = await client_for(leader).execute(
        UPDATE_CHALLENGE, {"id": str(challenge.id), "input": {"frequency": "sometimes"}}
    )

    # then nothing changed
    assert result.code == "BAD_USER_INPUT"
    assert result.field == "frequency"
    stored = await Challenge.get(id=challenge.id)
    assert (stored.frequency, stored.schedule_period, stored.schedule_times) == (
        "DAILY",
        SchedulePeriod.DAY,
        1,
    )


async def test_update_challenge_schedule_alone_keeps_frequency(
    new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    leader = await new_account()
    challenge = await make_challenge(leader)

    # when
    result = await client_for(leader).execute(
        UPDATE_CHALLENGE, {"id": str(challenge.id), "input": {"schedule": {"period": "WEEK", "times": 2}}}
    )

    # then
    assert result.ok()["updateChallenge"] == {
        "frequency": "DAILY",
        "schedule": {"period": "WEEK", "times": 2},
    }
    stored = await Challenge.get(id=challenge.id)
    assert (stored.schedule_period, stored.schedule_times) == (SchedulePeriod.WEEK, 2)


async def test_challenges_filter_by_status_follows_the_service_calendar(
    new_account: NewAccount, client: GraphQLClient
) -> None:
    # given challenges that end yesterday, run today only, and start tomorrow (service's TIMEZONE)
    leader, word = await new_account(), "st" + secrets.token_hex(5)
    today = service_today()
    yesterday, tomorrow = today - dt.timedelta(days=1), today + dt.timedelta(days=1)
    await make_challenge(leader, title=f"{word} ended", start_date=yesterday, due_date=yesterday)
    await make_challenge(leader, title=f"{word} today", start_date=today, due_date=today)
    await make_challenge(leader, title=f"{word} soon", start_date=tomorrow, due_date=tomorrow)

    # when
    found = {
        status: (
            await client.execute(CHALLENGES_BY_STATUS, {"filter": {"query": word, "status": status}})
        ).ok()["challenges"]
        for status in ("UPCOMING", "ONGOING", "FINISHED")
    }
    every = (await client.execute(CHALLENGES_BY_STATUS, {"filter": {"query": word}})).ok()["challenges"]

    # then
    assert found["UPCOMING"]["nodes"] == [{"title": f"{word} soon", "status": "UPCOMING"}]
    assert found["ONGOING"]["nodes"] == [{"title": f"{word} today", "status": "ONGOING"}]
    assert found["FINISHED"]["nodes"] == [{"title": f"{word} ended", "status": "FINISHED"}]
    assert every["totalCount"] == 3

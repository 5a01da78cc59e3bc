"""Challenge.leaderboard: order, cursor pages, total, and members only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from tests.progress.conftest import Race
from tests.support.factories import Account, add_member, add_proof, at_noon
from tests.support.graphql import GraphQLClient

LEADERBOARD = """
query Leaderboard($id: ID!, $first: Int, $after: String) {
  challenge(id: $id) {
    leaderboard(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { rank rate misses approved member { id } } }
      nodes { rank }
    }
  }
}
"""

NewAccount = Callable[..., Awaitable[Account]]
ClientFor = Callable[[Account], GraphQLClient]


def ranks(result: dict[str, object]) -> list[tuple[int, str]]:
    board = result["challenge"]["leaderboard"]  # type: ignore[index]
    return [(edge["node"]["rank"], edge["node"]["member"]["id"]) for edge in board["edges"]]


async def test_leaderboard_orders_by_rate_misses_approved_and_join_time(
    race: Race, new_account: NewAccount, client_for: ClientFor
) -> None:
    # given a late joiner (day 3) who proved day 3: rate 1 like the keeper, but joined later
    late = await new_account()
    await add_member(race.challenge, late, joined_at=at_noon(race.start + dt.timedelta(days=2)))
    await add_proof(race.challenge, late, on=race.start + dt.timedelta(days=2))

    # when
    result = (await client_for(race.misser).execute(LEADERBOARD, {"id": race.id})).ok()

    # then rate desc (1, 1, 1/3, 0), ties by misses, approved (3 before 1), join time
    assert ranks(result) == [(1, race.keeper.id), (2, late.id), (3, race.misser.id), (4, race.leader.id)]
    board = result["challenge"]["leaderboard"]
    assert board["totalCount"] == 4
    assert board["nodes"] == [{"rank": 1}, {"rank": 2}, {"rank": 3}, {"rank": 4}]
    assert board["pageInfo"]["hasNextPage"] is False


async def test_leaderboard_pages_follow_the_cursor(race: Race, client_for: ClientFor) -> None:
    # given
    viewer = client_for(race.keeper)

    # when the first page holds two, the next one starts after its end cursor
    first = (await viewer.execute(LEADERBOARD, {"id": race.id, "first": 2})).ok()
    cursor = first["challenge"]["leaderboard"]["pageInfo"]["endCursor"]
    second = (await viewer.execute(LEADERBOARD, {"id": race.id, "first": 2, "after": cursor})).ok()

    # then
    assert ranks(first) == [(1, race.keeper.id), (2, race.misser.id)]
    assert first["challenge"]["leaderboard"]["pageInfo"]["hasNextPage"] is True
    assert ranks(second) == [(3, race.leader.id)]
    assert second["challenge"]["leaderboard"]["pageInfo"] == {
        "hasNextPage": False,
        "hasPreviousPage": True,
        "endCursor": second["challenge"]["leaderboard"]["edges"][0]["cursor"],
    }
    assert second["challenge"]["leaderboard"]["totalCount"] == 3


async def test_leaderboard_for_a_non_member_is_forbidden(
    race: Race, new_account: NewAccount, client_for: ClientFor
) -> None:
    # given
    outsider = await new_account()

    # when
    result = await client_for(outsider).execute(LEADERBOARD, {"id": race.id})

    # then
    assert result.code == "FORBIDDEN"
    assert result.error["path"] == ["challenge", "leaderboard"]
    assert result.data == {"challenge": None}


async def test_leaderboard_for_anonymous_is_unauthenticated(race: Race, client: GraphQLClient) -> None:
    # when
    result = await client.execute(LEADERBOARD, {"id": race.id})

    # then
    assert result.code == "UNAUTHENTICATED"
    assert result.data == {"challenge": None}


async def test_leaderboard_with_a_forged_cursor_is_bad_input(race: Race, client_for: ClientFor) -> None:
    # when
    result = await client_for(race.keeper).execute(LEADERBOARD, {"id": race.id, "after": "bm90LWEtY3Vyc29y"})

    # then
    assert result.code == "BAD_USER_INPUT"
    assert result.field == "after"


async def test_leaderboard_page_size_over_the_limit_is_bad_input(race: Race, client_for: ClientFor) -> None:
    # when
    result = await client_for(race.keeper).execute(LEADERBOARD, {"id": race.id, "first": 101})

    # then
    assert result.code == "BAD_USER_INPUT"
    assert result.field == "first"

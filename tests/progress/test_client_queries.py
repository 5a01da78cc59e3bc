"""The progress queries docs/CLIENTS.md shows, run as written."""

from __future__ import annotations

import re
from collections.abc import Callable

from tests.progress.conftest import Race
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient
from tests.support.servers import PROJECT

ClientFor = Callable[[Account], GraphQLClient]


def documented(name: str) -> str:
    """The GraphQL block of docs/CLIENTS.md that defines operation ``name``."""
    text = (PROJECT / "docs" / "CLIENTS.md").read_text()
    for block in re.findall(r"```graphql\n(.*?)```", text, flags=re.DOTALL):
        if f"query {name}(" in block:
            return str(block)
    raise AssertionError(f"no query {name} in docs/CLIENTS.md")


async def test_my_progress_query_of_the_client_guide(race: Race, client_for: ClientFor) -> None:
    # when
    data = (await client_for(race.keeper).execute(documented("MyProgress"), {"id": race.id})).ok()

    # then
    challenge = data["challenge"]
    assert challenge["status"] == "ONGOING"
    assert challenge["schedule"] == {"period": "DAY", "times": 1}
    assert (challenge["viewerProgress"]["required"], challenge["viewerProgress"]["rank"]) == (3, 1)
    assert data["me"]["stats"]["activeChallenges"] == 1


async def test_leaderboard_query_of_the_client_guide(race: Race, client_for: ClientFor) -> None:
    # when
    data = (await client_for(race.misser).execute(documented("Leaderboard"), {"id": race.id})).ok()

    # then
    board = data["challenge"]["leaderboard"]
    assert data["challenge"]["viewerProgress"] == {"rank": 2}
    assert board["totalCount"] == 3 and board["pageInfo"]["hasNextPage"] is False
    assert [edge["node"]["member"]["id"] for edge in board["edges"]] == [
        race.keeper.id,
        race.misser.id,
        race.leader.id,
    ]

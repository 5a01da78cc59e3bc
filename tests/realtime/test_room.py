"""room(challengeId) and Room.messages: members only, history paged backwards."""

from __future__ import annotations

from collections.abc import Callable

from models.chat import Room
from tests.realtime.conftest import Crew, send
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

ROOM = """
query Room($challengeId: ID!, $last: Int, $before: String) {
  room(challengeId: $challengeId) {
    id
    challenge { id title room { id } }
    messages(last: $last, before: $before) {
      edges { cursor node { id body } }
      nodes { body cursor sender { id } }
      pageInfo { hasPreviousPage hasNextPage startCursor endCursor }
    }
  }
}
"""


async def test_messages_page_backwards_oldest_first_within_a_page(
    app: AppServer, client_for: Callable[[Account], GraphQLClient], crew: Crew
) -> None:
    # given seven messages
    for n in range(7):
        await send(app, crew.alice, crew.id, f"m{n}")
    graphql = client_for(crew.bob)

    # when bob pages back three at a time
    pages = []
    before = None
    while True:
        page = (await graphql.execute(ROOM, {"challengeId": crew.id, "last": 3, "before": before})).ok()
        connection = page["room"]["messages"]
        pages.append([node["body"] for node in connection["nodes"]])
        if not connection["pageInfo"]["hasPreviousPage"]:
            break
        before = connection["pageInfo"]["startCursor"]

    # then the pages are newest page first, each oldest first, with nothing missing or repeated
    assert pages == [["m4", "m5", "m6"], ["m1", "m2", "m3"], ["m0"]]
    first = (await graphql.execute(ROOM, {"challengeId": crew.id, "last": 3})).ok()["room"]
    assert first["id"] == str((await Room.get(challenge_id=crew.challenge.id)).id)
    assert first["challenge"] == {"id": crew.id, "title": crew.challenge.title, "room": {"id": first["id"]}}
    assert first["messages"]["edges"][0]["cursor"] == first["messages"]["pageInfo"]["startCursor"]
    assert first["messages"]["nodes"][0]["sender"]["id"] == crew.alice.id


async def test_messages_with_last_out_of_range_is_bad_input(
    client_for: Callable[[Account], GraphQLClient], crew: Crew
) -> None:
    # when a member asks for 0, then 101 messages
    graphql = client_for(crew.alice)
    results = [await graphql.execute(ROOM, {"challengeId": crew.id, "last": last}) for last in (0, 101)]

    # then BAD_USER_INPUT on `last`
    assert [(result.code, result.field) for result in results] == [("BAD_USER_INPUT", "last")] * 2


async def test_messages_before_a_malformed_cursor_is_bad_input(
    client_for: Callable[[Account], GraphQLClient], crew: Crew
) -> None:
    # when the cursor was tampered with
    result = await client_for(crew.alice).execute(ROOM, {"challengeId": crew.id, "before": "!!nope"})

    # then BAD_USER_INPUT on `before`
    assert (result.code, result.field) == ("BAD_USER_INPUT", "before")


async def test_room_as_outsider_is_forbidden(
    client_for: Callable[[Account], GraphQLClient], crew: Crew
) -> None:
    # when a non-member asks for the room
    result = await client_for(crew.outsider).execute(ROOM, {"challengeId": crew.id})

    # then FORBIDDEN and no room data
    assert result.code == "FORBIDDEN"
    assert result.data.get("room") is None


async def test_room_anonymously_is_unauthenticated(client: GraphQLClient, crew: Crew) -> None:
    # when an anonymous client asks for the room
    result = await client.execute(ROOM, {"challengeId": crew.id})

    # then UNAUTHENTICATED
    assert result.code == "UNAUTHENTICATED"
    assert result.data.get("room") is None


async def test_room_of_a_missing_challenge_is_null(
    client_for: Callable[[Account], GraphQLClient], crew: Crew
) -> None:
    # when the challenge does not exist
    result = await client_for(crew.alice).execute(ROOM, {"challengeId": "987654321"})

    # then the room is null, without an error
    assert result.ok()["room"] is None

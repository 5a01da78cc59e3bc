"""reactToMessage: members only, one emoji, idempotent, removable, at most 20 distinct emoji per
message, LIMIT_REACT; a REACTION event with the room's next seq."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from models.chat import Reaction, RoomLogEntry
from tests.chat.conftest import Crew, call, send
from tests.realtime.test_room_events import next_of
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

REACT = """
mutation React($id: ID!, $emoji: String!, $reacted: Boolean) {
  reactToMessage(id: $id, emoji: $emoji, reacted: $reacted) { id reactions { emoji count viewerReacted } }
}
"""
REACT_DEFAULT = """
mutation React($id: ID!, $emoji: String!) { reactToMessage(id: $id, emoji: $emoji) { id } }
"""
DELETE_MESSAGE = "mutation Delete($id: ID!) { deleteMessage(id: $id) }"
ROOM_EVENTS = """
subscription R($c: ID!) {
  roomEvents(challengeId: $c) {
    type cursor emoji reacted member { id } message { id reactions { emoji count } }
  }
}
"""
THUMBS, FIRE = "\U0001f44d", "\U0001f525"


async def test_react_adds_a_reaction_and_logs_a_reaction_event(app: AppServer, crew: Crew) -> None:
    # given alice's message and bob listening
    message = await send(app, crew.alice, crew.id, "done for today")
    async with await GraphQLWebSocket.connect(app.ws_url, token=crew.bob.token) as socket:
        op = await socket.subscribe(ROOM_EVENTS, {"c": crew.id})
        await next_of(socket, op, "JOIN")

        # when the leader reacts with a thumbs up
        result = await call(app, crew.leader, REACT, {"id": message["id"], "emoji": THUMBS})

        # then the message carries it, and bob gets a REACTION naming who and what
        reactions = result.ok()["reactToMessage"]["reactions"]
        assert reactions == [{"emoji": THUMBS, "count": 1, "viewerReacted": True}]
        event = await next_of(socket, op, "REACTION")
        assert (event["emoji"], event["reacted"], event["member"]["id"]) == (THUMBS, True, crew.leader.id)
        assert event["message"] == {"id": message["id"], "reactions": [{"emoji": THUMBS, "count": 1}]}
        assert event["cursor"] not in (None, message["cursor"])
    assert await Reaction.filter(message_id=int(message["id"])).count() == 1
    assert await RoomLogEntry.filter(message_id=int(message["id"]), kind="REACTION").count() == 1


async def test_react_twice_keeps_one_reaction_and_one_event(app: AppServer, crew: Crew) -> None:
    # given bob reacted once
    message = await send(app, crew.alice, crew.id, "hi")
    (await call(app, crew.bob, REACT_DEFAULT, {"id": message["id"], "emoji": THUMBS})).ok()

    # when he reacts again with the same emoji
    result = await call(app, crew.bob, REACT, {"id": message["id"], "emoji": THUMBS})

    # then still one reaction, one log entry
    assert result.ok()["reactToMessage"]["reactions"] == [
        {"emoji": THUMBS, "count": 1, "viewerReacted": True}
    ]
    assert await Reaction.filter(message_id=int(message["id"])).count() == 1
    assert await RoomLogEntry.filter(message_id=int(message["id"]), kind="REACTION").count() == 1


async def test_react_false_removes_the_reaction(app: AppServer, crew: Crew) -> None:
    # given bob's and alice's thumbs up
    message = await send(app, crew.leader, crew.id, "meeting at 9")
    for account in (crew.bob, crew.alice):
        (await call(app, account, REACT_DEFAULT, {"id": message["id"], "emoji": THUMBS})).ok()

    # when bob takes his back
    result = await call(app, crew.bob, REACT, {"id": message["id"], "emoji": THUMBS, "reacted": False})

    # then alice's remains and a removal is logged
    assert result.ok()["reactToMessage"]["reactions"] == [
        {"emoji": THUMBS, "count": 1, "viewerReacted": False}
    ]
    assert await Reaction.filter(message_id=int(message["id"])).values_list("member_id", flat=True) == [
        crew.alice.member.id
    ]
    removal = (
        await RoomLogEntry.filter(message_id=int(message["id"]), kind="REACTION").order_by("-seq").first()
    )
    assert removal is not None and (removal.added, removal.emoji) == (False, THUMBS)


async def test_reactions_are_ordered_most_used_first(app: AppServer, crew: Crew) -> None:
    # given one fire, then two thumbs up
    message = await send(app, crew.leader, crew.id, "ordering")
    (await call(app, crew.alice, REACT_DEFAULT, {"id": message["id"], "emoji": FIRE})).ok()
    for account in (crew.alice, crew.bob):
        (await call(app, account, REACT_DEFAULT, {"id": message["id"], "emoji": THUMBS})).ok()

    # when the leader reads them
    result = await call(app, crew.leader, REACT, {"id": message["id"], "emoji": FIRE, "reacted": False})

    # then thumbs up (2) comes before fire (1), and the leader reacted to neither
    assert result.ok()["reactToMessage"]["reactions"] == [
        {"emoji": THUMBS, "count": 2, "viewerReacted": False},
        {"emoji": FIRE, "count": 1, "viewerReacted": False},
    ]


async def test_react_by_an_outsider_is_forbidden(app: AppServer, crew: Crew) -> None:
    # given a message of the room
    message = await send(app, crew.alice, crew.id, "members only")

    # when an outsider reacts
    result = await call(app, crew.outsider, REACT, {"id": message["id"], "emoji": THUMBS})

    # then FORBIDDEN and no reaction
    assert result.code == "FORBIDDEN"
    assert not await Reaction.exists(message_id=int(message["id"]))


@pytest.mark.parametrize(
    "emoji",
    ["a", "\U0001f44d\U0001f44d", "ok", "", "\U0001f3fd"],
    ids=["letter", "two emoji", "text", "empty", "lone skin tone"],
)
async def test_react_with_something_else_than_one_emoji_is_bad_input(
    app: AppServer, crew: Crew, emoji: str
) -> None:
    # given a message
    message = await send(app, crew.alice, crew.id, "react properly")

    # when bob reacts with it
    result = await call(app, crew.bob, REACT, {"id": message["id"], "emoji": emoji})

    # then BAD_USER_INPUT on emoji
    assert (result.code, result.field) == ("BAD_USER_INPUT", "emoji")
    assert not await Reaction.exists(message_id=int(message["id"]))


async def test_react_to_a_deleted_message_is_not_found(app: AppServer, crew: Crew) -> None:
    # given a deleted message
    message = await send(app, crew.alice, crew.id, "gone")
    (await call(app, crew.alice, DELETE_MESSAGE, {"id": message["id"]})).ok()

    # when bob reacts
    result = await call(app, crew.bob, REACT, {"id": message["id"], "emoji": THUMBS})

    # then NOT_FOUND
    assert result.code == "NOT_FOUND"
    assert not await Reaction.exists(message_id=int(message["id"]))


async def test_a_21st_distinct_emoji_is_a_conflict(app: AppServer, crew: Crew) -> None:
    # given a message with 20 distinct emoji
    message = await send(app, crew.alice, crew.id, "popular")
    emoji = [chr(0x1F600 + n) for n in range(21)]
    for face in emoji[:20]:
        (await call(app, crew.bob, REACT_DEFAULT, {"id": message["id"], "emoji": face})).ok()

    # when a 21st is added, and then one of the 20 again by someone else
    refused = await call(app, crew.alice, REACT, {"id": message["id"], "emoji": emoji[20]})
    accepted = await call(app, crew.alice, REACT, {"id": message["id"], "emoji": emoji[0]})

    # then CONFLICT for the new one; an existing emoji still takes more reactions
    assert refused.code == "CONFLICT"
    assert len(accepted.ok()["reactToMessage"]["reactions"]) == 20
    rows = await Reaction.filter(message_id=int(message["id"])).values_list("emoji", flat=True)
    assert set(rows) == set(emoji[:20]) and len(rows) == 21


async def test_react_over_limit_react_is_rate_limited(
    start_app: Callable[..., AppServer], crew: Crew
) -> None:
    # given a server with LIMIT_REACT=3/60 and a message
    server = start_app(LIMIT_REACT="3/60")
    message = await send(server, crew.alice, crew.id, "limits")
    faces = [chr(0x1F600 + n) for n in range(4)]

    # when bob reacts four times
    results = [await call(server, crew.bob, REACT, {"id": message["id"], "emoji": face}) for face in faces]

    # then the fourth is RATE_LIMITED with a retryAfter, and only three reactions exist
    assert [result.code for result in results] == [None, None, None, "RATE_LIMITED"]
    assert results[3].error["extensions"]["retryAfter"] > 0
    assert await Reaction.filter(message_id=int(message["id"])).count() == 3

"""sendMessage(replyToId:) and pinMessage: a reply points into the same room and goes null when
its target is deleted; the leader pins one message at a time, each change a PIN event."""

from __future__ import annotations

from models.chat import Message, Room, RoomLogEntry
from tests.chat.conftest import Crew, call, send
from tests.realtime.test_room_events import next_of
from tests.support.factories import add_member, make_challenge
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

REPLY = """
mutation Reply($c: ID!, $body: String!, $replyToId: ID) {
  sendMessage(challengeId: $c, body: $body, replyToId: $replyToId) { id replyTo { id body } }
}
"""
DELETE_MESSAGE = "mutation Delete($id: ID!) { deleteMessage(id: $id) }"
HISTORY = "query H($c: ID!) { room(challengeId: $c) { messages(last: 10) { nodes { id replyTo { id } } } } }"
PIN = """
mutation Pin($c: ID!, $m: ID) { pinMessage(challengeId: $c, messageId: $m) { id pinnedMessage { id body } } }
"""
PINNED = "query P($c: ID!) { room(challengeId: $c) { pinnedMessage { id } } }"
ROOM_EVENTS = "subscription R($c: ID!) { roomEvents(challengeId: $c) { type cursor message { id } } }"


async def test_reply_points_to_its_target(app: AppServer, crew: Crew) -> None:
    # given alice's question
    question = await send(app, crew.alice, crew.id, "who is in?")

    # when bob answers it
    result = await call(app, crew.bob, REPLY, {"c": crew.id, "body": "me", "replyToId": question["id"]})

    # then the answer's replyTo is the question, in the response and in the database
    answer = result.ok()["sendMessage"]
    assert answer["replyTo"] == {"id": question["id"], "body": "who is in?"}
    assert (await Message.get(id=int(answer["id"]))).reply_to_id == int(question["id"])


async def test_reply_to_a_message_of_another_room_is_bad_input(app: AppServer, crew: Crew) -> None:
    # given a message in another challenge's room that bob also belongs to
    other = await make_challenge(crew.alice)
    await add_member(other, crew.bob)
    elsewhere = await send(app, crew.alice, str(other.id), "other room")

    # when bob replies to it in the crew's room
    result = await call(app, crew.bob, REPLY, {"c": crew.id, "body": "wrong", "replyToId": elsewhere["id"]})

    # then BAD_USER_INPUT on replyToId and nothing is stored
    assert (result.code, result.field) == ("BAD_USER_INPUT", "replyToId")
    assert not await Message.exists(room__challenge_id=crew.challenge.id, body="wrong")


async def test_reply_to_a_deleted_message_is_bad_input(app: AppServer, crew: Crew) -> None:
    # given a deleted message
    gone = await send(app, crew.alice, crew.id, "gone")
    (await call(app, crew.alice, DELETE_MESSAGE, {"id": gone["id"]})).ok()

    # when bob replies to it
    result = await call(app, crew.bob, REPLY, {"c": crew.id, "body": "late", "replyToId": gone["id"]})

    # then BAD_USER_INPUT on replyToId
    assert (result.code, result.field) == ("BAD_USER_INPUT", "replyToId")
    assert not await Message.exists(room__challenge_id=crew.challenge.id, body="late")


async def test_reply_to_is_null_once_its_target_is_deleted(app: AppServer, crew: Crew) -> None:
    # given bob's answer to alice's question
    question = await send(app, crew.alice, crew.id, "question")
    answer = (await call(app, crew.bob, REPLY, {"c": crew.id, "body": "a", "replyToId": question["id"]})).ok()

    # when alice deletes the question
    (await call(app, crew.alice, DELETE_MESSAGE, {"id": question["id"]})).ok()

    # then the answer's replyTo is null in history, while the row keeps the link
    nodes = (await call(app, crew.bob, HISTORY, {"c": crew.id})).ok()["room"]["messages"]["nodes"]
    assert nodes == [{"id": answer["sendMessage"]["id"], "replyTo": None}]
    assert (await Message.get(id=int(answer["sendMessage"]["id"]))).reply_to_id == int(question["id"])


async def test_leader_pins_a_message_and_the_room_hears_it(app: AppServer, crew: Crew) -> None:
    # given alice's message and bob listening
    message = await send(app, crew.alice, crew.id, "rules: one problem a day")
    async with await GraphQLWebSocket.connect(app.ws_url, token=crew.bob.token) as socket:
        op = await socket.subscribe(ROOM_EVENTS, {"c": crew.id})
        await next_of(socket, op, "JOIN")

        # when the leader pins it
        result = await call(app, crew.leader, PIN, {"c": crew.id, "m": message["id"]})

        # then the room shows it pinned and bob gets a PIN with a cursor
        pinned = result.ok()["pinMessage"]["pinnedMessage"]
        assert pinned == {"id": message["id"], "body": "rules: one problem a day"}
        event = await next_of(socket, op, "PIN")
        assert event["message"] == {"id": message["id"]}
        assert event["cursor"] is not None
    room = await Room.get(challenge_id=crew.challenge.id)
    assert room.pinned_message_id == int(message["id"])
    assert await RoomLogEntry.filter(room_id=room.id, kind="PIN", added=True).count() == 1


async def test_pinning_another_message_replaces_the_pinned_one(app: AppServer, crew: Crew) -> None:
    # given a pinned message
    first, second = [await send(app, crew.alice, crew.id, body) for body in ("first", "second")]
    (await call(app, crew.leader, PIN, {"c": crew.id, "m": first["id"]})).ok()

    # when the leader pins another
    (await call(app, crew.leader, PIN, {"c": crew.id, "m": second["id"]})).ok()

    # then only the second is pinned
    assert (await call(app, crew.bob, PINNED, {"c": crew.id})).ok()["room"]["pinnedMessage"] == {
        "id": second["id"]
    }
    assert (await Room.get(challenge_id=crew.challenge.id)).pinned_message_id == int(second["id"])


async def test_unpin_clears_the_pin_with_a_pin_event_without_message(app: AppServer, crew: Crew) -> None:
    # given a pinned message and bob listening
    message = await send(app, crew.alice, crew.id, "pinned")
    (await call(app, crew.leader, PIN, {"c": crew.id, "m": message["id"]})).ok()
    async with await GraphQLWebSocket.connect(app.ws_url, token=crew.bob.token) as socket:
        op = await socket.subscribe(ROOM_EVENTS, {"c": crew.id})
        await next_of(socket, op, "JOIN")

        # when the leader unpins
        result = await call(app, crew.leader, PIN, {"c": crew.id, "m": None})

        # then nothing is pinned and bob gets a PIN with a null message
        assert result.ok()["pinMessage"]["pinnedMessage"] is None
        event = await next_of(socket, op, "PIN")
        assert (event["message"], event["cursor"] is not None) == (None, True)
    assert (await Room.get(challenge_id=crew.challenge.id)).pinned_message_id is None


async def test_pin_by_a_member_who_is_not_the_leader_is_forbidden(app: AppServer, crew: Crew) -> None:
    # given alice's message
    message = await send(app, crew.alice, crew.id, "pin me")

    # when alice pins it
    result = await call(app, crew.alice, PIN, {"c": crew.id, "m": message["id"]})

    # then FORBIDDEN and nothing is pinned
    assert result.code == "FORBIDDEN"
    assert (await Room.get(challenge_id=crew.challenge.id)).pinned_message_id is None
    assert not await RoomLogEntry.exists(message_id=int(message["id"]), kind="PIN")


async def test_pin_a_message_of_another_room_is_bad_input(app: AppServer, crew: Crew) -> None:
    # given a message of another room
    other = await make_challenge(crew.alice)
    elsewhere = await send(app, crew.alice, str(other.id), "elsewhere")

    # when the crew's leader pins it in the crew's room
    result = await call(app, crew.leader, PIN, {"c": crew.id, "m": elsewhere["id"]})

    # then BAD_USER_INPUT on messageId
    assert (result.code, result.field) == ("BAD_USER_INPUT", "messageId")
    assert (await Room.get(challenge_id=crew.challenge.id)).pinned_message_id is None


async def test_pinned_message_is_null_once_deleted(app: AppServer, crew: Crew) -> None:
    # given a pinned message
    message = await send(app, crew.alice, crew.id, "soon gone")
    (await call(app, crew.leader, PIN, {"c": crew.id, "m": message["id"]})).ok()

    # when its sender deletes it
    (await call(app, crew.alice, DELETE_MESSAGE, {"id": message["id"]})).ok()

    # then the room shows no pinned message
    assert (await call(app, crew.bob, PINNED, {"c": crew.id})).ok()["room"]["pinnedMessage"] is None

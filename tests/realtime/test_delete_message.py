"""deleteMessage: the sender or the leader; a soft delete plus a DELETE event with its own seq."""

from __future__ import annotations

from collections.abc import Callable

from models.chat import Message, RoomLogEntry
from tests.realtime.conftest import Crew, send
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

DELETE_MESSAGE = "mutation Delete($id: ID!) { deleteMessage(id: $id) }"
HISTORY = """
query History($challengeId: ID!) {
  room(challengeId: $challengeId) { messages(last: 100) { nodes { id body } } }
}
"""
ROOM_EVENTS = """
subscription R($c: ID!, $after: String) {
  roomEvents(challengeId: $c, after: $after) { type cursor messageId message { id } }
}
"""


async def test_delete_own_message_soft_deletes_and_logs_a_delete_event(
    app: AppServer, client_for: Callable[[Account], GraphQLClient], crew: Crew
) -> None:
    # given alice's message and bob listening
    message = await send(app, crew.alice, crew.id, "oops")
    async with await GraphQLWebSocket.connect(app.ws_url, token=crew.bob.token) as socket:
        op = await socket.subscribe(ROOM_EVENTS, {"c": crew.id})
        assert (await socket.next_data(op))["roomEvents"]["type"] == "JOIN"

        # when alice deletes it
        result = await client_for(crew.alice).execute(DELETE_MESSAGE, {"id": message["id"]})

        # then the id comes back, bob gets a DELETE with its own cursor
        assert result.ok()["deleteMessage"] == message["id"]
        event = (await socket.next_data(op))["roomEvents"]
        assert event["type"] == "DELETE"
        assert event["messageId"] == message["id"]
        assert event["cursor"] not in (None, message["cursor"])
    row = await Message.get(id=int(message["id"]))
    assert row.deleted_at is not None
    entry = await RoomLogEntry.get(message_id=row.id)
    assert (entry.kind, entry.seq) == ("DELETE", row.seq + 1)


async def test_leader_deletes_a_members_message(
    app: AppServer, client_for: Callable[[Account], GraphQLClient], crew: Crew
) -> None:
    # given bob's message
    message = await send(app, crew.bob, crew.id, "off topic")

    # when the leader deletes it
    result = await client_for(crew.leader).execute(DELETE_MESSAGE, {"id": message["id"]})

    # then it is deleted
    assert result.ok()["deleteMessage"] == message["id"]
    assert (await Message.get(id=int(message["id"]))).deleted_at is not None


async def test_delete_another_members_message_is_forbidden(
    app: AppServer, client_for: Callable[[Account], GraphQLClient], crew: Crew
) -> None:
    # given bob's message
    message = await send(app, crew.bob, crew.id, "mine")

    # when alice (a member, not the leader) deletes it
    result = await client_for(crew.alice).execute(DELETE_MESSAGE, {"id": message["id"]})

    # then FORBIDDEN and the message stays
    assert result.code == "FORBIDDEN"
    assert result.data.get("deleteMessage") is None
    assert (await Message.get(id=int(message["id"]))).deleted_at is None
    assert not await RoomLogEntry.exists(message_id=int(message["id"]))


async def test_delete_twice_is_not_found(
    app: AppServer, client_for: Callable[[Account], GraphQLClient], crew: Crew
) -> None:
    # given a deleted message
    message = await send(app, crew.alice, crew.id, "gone")
    (await client_for(crew.alice).execute(DELETE_MESSAGE, {"id": message["id"]})).ok()

    # when it is deleted again
    result = await client_for(crew.alice).execute(DELETE_MESSAGE, {"id": message["id"]})

    # then NOT_FOUND and only one DELETE entry exists
    assert result.code == "NOT_FOUND"
    assert await RoomLogEntry.filter(message_id=int(message["id"])).count() == 1


async def test_deleted_messages_disappear_from_history_and_replay(
    app: AppServer, client_for: Callable[[Account], GraphQLClient], crew: Crew
) -> None:
    # given three messages, the middle one deleted
    first, middle, last = [await send(app, crew.alice, crew.id, body) for body in ("a", "b", "c")]
    (await client_for(crew.alice).execute(DELETE_MESSAGE, {"id": middle["id"]})).ok()

    # when bob reads the history and replays from before the first message
    history = (await client_for(crew.bob).execute(HISTORY, {"challengeId": crew.id})).ok()
    async with await GraphQLWebSocket.connect(app.ws_url, token=crew.bob.token) as socket:
        op = await socket.subscribe(ROOM_EVENTS, {"c": crew.id, "after": first["cursor"]})
        replayed = [(await socket.next_data(op))["roomEvents"] for _ in range(3)]

    # then the deleted message is in neither; the replay carries its DELETE
    assert [node["body"] for node in history["room"]["messages"]["nodes"]] == ["a", "c"]
    assert [(event["type"], event["message"] and event["message"]["id"]) for event in replayed] == [
        ("MESSAGE", last["id"]),
        ("DELETE", None),
        ("JOIN", None),
    ]
    assert replayed[1]["messageId"] == middle["id"]

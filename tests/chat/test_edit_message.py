"""editMessage: the sender only, within EDIT_WINDOW, body rules as for sending; an EDIT event."""

from __future__ import annotations

import datetime as dt

from models.challenges import Membership
from models.chat import Message, RoomLogEntry
from tests.chat.conftest import Crew, call, send
from tests.realtime.test_room_events import next_of
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

EDIT_MESSAGE = (
    "mutation Edit($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { id body editedAt } }"
)
DELETE_MESSAGE = "mutation Delete($id: ID!) { deleteMessage(id: $id) }"
ROOM_EVENTS = """
subscription R($c: ID!) {
  roomEvents(challengeId: $c) { type cursor member { id } message { id body editedAt } }
}
"""
HISTORY = "query H($c: ID!) { room(challengeId: $c) { messages(last: 10) { nodes { id body editedAt } } } }"


async def test_edit_own_message_changes_it_and_logs_an_edit_event(app: AppServer, crew: Crew) -> None:
    # given alice's message and bob listening
    message = await send(app, crew.alice, crew.id, "helo")
    async with await GraphQLWebSocket.connect(app.ws_url, token=crew.bob.token) as socket:
        op = await socket.subscribe(ROOM_EVENTS, {"c": crew.id})
        await next_of(socket, op, "JOIN")

        # when alice edits it
        result = await call(app, crew.alice, EDIT_MESSAGE, {"id": message["id"], "body": " hello "})

        # then the edited message comes back, bob gets an EDIT with its own cursor
        edited = result.ok()["editMessage"]
        assert (edited["body"], edited["editedAt"] is not None) == ("hello", True)
        event = await next_of(socket, op, "EDIT")
        assert event["message"] == edited
        assert event["cursor"] not in (None, message["cursor"])
    row = await Message.get(id=int(message["id"]))
    assert (row.body, row.edited_at is not None) == ("hello", True)
    entry = await RoomLogEntry.get(message_id=row.id, kind="EDIT")
    assert entry.seq == row.seq + 1
    history = (await call(app, crew.bob, HISTORY, {"c": crew.id})).ok()["room"]["messages"]["nodes"]
    assert history == [edited]


async def test_edit_another_members_message_is_forbidden(app: AppServer, crew: Crew) -> None:
    # given bob's message
    message = await send(app, crew.bob, crew.id, "mine")

    # when the leader edits it
    result = await call(app, crew.leader, EDIT_MESSAGE, {"id": message["id"], "body": "theirs"})

    # then FORBIDDEN and nothing changed
    assert result.code == "FORBIDDEN"
    assert result.data.get("editMessage") is None
    row = await Message.get(id=int(message["id"]))
    assert (row.body, row.edited_at) == ("mine", None)
    assert not await RoomLogEntry.exists(message_id=row.id)


async def test_edit_after_the_edit_window_is_a_conflict(app: AppServer, crew: Crew) -> None:
    # given alice's message sent 901 seconds ago (EDIT_WINDOW is 900)
    message = await send(app, crew.alice, crew.id, "old")
    sent_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=901)
    await Message.filter(id=int(message["id"])).update(created_at=sent_at)

    # when she edits it
    result = await call(app, crew.alice, EDIT_MESSAGE, {"id": message["id"], "body": "new"})

    # then CONFLICT and the body stays
    assert result.code == "CONFLICT"
    assert (await Message.get(id=int(message["id"]))).body == "old"
    assert not await RoomLogEntry.exists(message_id=int(message["id"]))


async def test_edit_within_the_edit_window_succeeds(app: AppServer, crew: Crew) -> None:
    # given alice's message sent 880 seconds ago
    message = await send(app, crew.alice, crew.id, "old")
    sent_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=880)
    await Message.filter(id=int(message["id"])).update(created_at=sent_at)

    # when she edits it
    result = await call(app, crew.alice, EDIT_MESSAGE, {"id": message["id"], "body": "new"})

    # then it is edited
    assert result.ok()["editMessage"]["body"] == "new"
    assert (await Message.get(id=int(message["id"]))).body == "new"


async def test_edit_a_deleted_message_is_not_found(app: AppServer, crew: Crew) -> None:
    # given alice's deleted message
    message = await send(app, crew.alice, crew.id, "gone")
    (await call(app, crew.alice, DELETE_MESSAGE, {"id": message["id"]})).ok()

    # when she edits it
    result = await call(app, crew.alice, EDIT_MESSAGE, {"id": message["id"], "body": "back"})

    # then NOT_FOUND and no EDIT entry
    assert result.code == "NOT_FOUND"
    assert (await Message.get(id=int(message["id"]))).body == "gone"
    assert not await RoomLogEntry.exists(message_id=int(message["id"]), kind="EDIT")


async def test_edit_with_a_blank_body_is_bad_input(app: AppServer, crew: Crew) -> None:
    # given alice's message
    message = await send(app, crew.alice, crew.id, "text")

    # when she edits it to blanks, then to 1001 characters
    blank = await call(app, crew.alice, EDIT_MESSAGE, {"id": message["id"], "body": "   "})
    long = await call(app, crew.alice, EDIT_MESSAGE, {"id": message["id"], "body": "x" * 1001})

    # then BAD_USER_INPUT on body, and the body stays
    assert (blank.code, blank.field) == ("BAD_USER_INPUT", "body")
    assert (long.code, long.field) == ("BAD_USER_INPUT", "body")
    assert (await Message.get(id=int(message["id"]))).body == "text"


async def test_edit_by_a_former_member_is_forbidden(app: AppServer, crew: Crew) -> None:
    # given alice's message, then alice left the challenge
    message = await send(app, crew.alice, crew.id, "before leaving")
    await Membership.filter(challenge_id=crew.challenge.id, member_id=crew.alice.member.id).delete()

    # when she edits it
    result = await call(app, crew.alice, EDIT_MESSAGE, {"id": message["id"], "body": "after"})

    # then FORBIDDEN and nothing changed
    assert result.code == "FORBIDDEN"
    assert (await Message.get(id=int(message["id"]))).body == "before leaving"
    assert not await RoomLogEntry.exists(message_id=int(message["id"]))

"""markRoomRead moves the viewer's read position forward only; unreadCount counts the messages
of others after it (since joining without one), at most 999; lastReadCursor shows it."""

from __future__ import annotations

import datetime as dt

from models.challenges import Membership
from models.chat import Message, Room
from tests.chat.conftest import Crew, call, send
from tests.support.factories import add_member, make_challenge
from tests.support.servers import AppServer

MARK_READ = """
mutation Read($c: ID!, $cursor: String!) {
  markRoomRead(challengeId: $c, cursor: $cursor) { unreadCount lastReadCursor }
}
"""
UNREAD = "query U($c: ID!) { room(challengeId: $c) { unreadCount lastReadCursor } }"
DELETE_MESSAGE = "mutation Delete($id: ID!) { deleteMessage(id: $id) }"


async def _read_seq(crew: Crew) -> int | None:
    membership = await Membership.get(challenge_id=crew.challenge.id, member_id=crew.bob.member.id)
    return membership.read_seq


async def test_unread_count_counts_messages_of_others_after_the_position(app: AppServer, crew: Crew) -> None:
    # given three messages of alice, one of bob, and bob's position after the first
    first = await send(app, crew.alice, crew.id, "1")
    for body in ("2", "3"):
        await send(app, crew.alice, crew.id, body)
    await send(app, crew.bob, crew.id, "mine")

    # when bob marks the first read
    result = await call(app, crew.bob, MARK_READ, {"c": crew.id, "cursor": first["cursor"]})

    # then two unread (his own does not count), and his position is that cursor
    assert result.ok()["markRoomRead"] == {"unreadCount": 2, "lastReadCursor": first["cursor"]}
    assert await _read_seq(crew) == (await Message.get(id=int(first["id"]))).seq


async def test_mark_room_read_never_moves_back(app: AppServer, crew: Crew) -> None:
    # given bob read up to the second message
    first, second = [await send(app, crew.alice, crew.id, body) for body in ("1", "2")]
    (await call(app, crew.bob, MARK_READ, {"c": crew.id, "cursor": second["cursor"]})).ok()

    # when he marks the first read
    result = await call(app, crew.bob, MARK_READ, {"c": crew.id, "cursor": first["cursor"]})

    # then nothing changed
    assert result.ok()["markRoomRead"] == {"unreadCount": 0, "lastReadCursor": second["cursor"]}
    assert await _read_seq(crew) == (await Message.get(id=int(second["id"]))).seq


async def test_unread_count_without_a_position_counts_since_joining(app: AppServer, crew: Crew) -> None:
    # given a challenge whose room had two messages before bob joined, and one after
    challenge = await make_challenge(crew.alice)
    for body in ("before 1", "before 2"):
        await send(app, crew.alice, str(challenge.id), body)
    await add_member(challenge, crew.bob, joined_at=dt.datetime.now(dt.UTC))
    await send(app, crew.alice, str(challenge.id), "after")

    # when bob asks, never having marked anything read
    room = (await call(app, crew.bob, UNREAD, {"c": str(challenge.id)})).ok()["room"]

    # then one unread and no position
    assert room == {"unreadCount": 1, "lastReadCursor": None}


async def test_deleted_messages_are_not_unread(app: AppServer, crew: Crew) -> None:
    # given two messages of alice after bob's position, one deleted
    anchor = await send(app, crew.alice, crew.id, "anchor")
    (await call(app, crew.bob, MARK_READ, {"c": crew.id, "cursor": anchor["cursor"]})).ok()
    kept, gone = [await send(app, crew.alice, crew.id, body) for body in ("kept", "gone")]
    (await call(app, crew.alice, DELETE_MESSAGE, {"id": gone["id"]})).ok()

    # when bob asks
    room = (await call(app, crew.bob, UNREAD, {"c": crew.id})).ok()["room"]

    # then only the kept one is unread
    assert room["unreadCount"] == 1
    assert kept["id"] != gone["id"]


async def test_unread_count_is_capped_at_999(app: AppServer, crew: Crew) -> None:
    # given 1,005 messages of alice after bob joined
    room = await Room.get(challenge_id=crew.challenge.id)
    now = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    await Message.bulk_create(
        [
            Message(
                room_id=room.id,
                seq=room.last_seq + n,
                sender_id=crew.alice.member.id,
                body=f"{n}",
                created_at=now,
            )
            for n in range(1, 1006)
        ]
    )
    await Room.filter(id=room.id).update(last_seq=room.last_seq + 1005)

    # when bob asks
    unread = (await call(app, crew.bob, UNREAD, {"c": crew.id})).ok()["room"]["unreadCount"]

    # then 999
    assert unread == 999


async def test_mark_room_read_with_a_cursor_of_another_room_is_bad_input(app: AppServer, crew: Crew) -> None:
    # given a message of another room
    other = await make_challenge(crew.bob)
    elsewhere = await send(app, crew.bob, str(other.id), "elsewhere")

    # when bob marks the crew's room read with its cursor
    result = await call(app, crew.bob, MARK_READ, {"c": crew.id, "cursor": elsewhere["cursor"]})

    # then BAD_USER_INPUT on cursor and no position
    assert (result.code, result.field) == ("BAD_USER_INPUT", "cursor")
    assert await _read_seq(crew) is None


async def test_mark_room_read_by_an_outsider_is_forbidden(app: AppServer, crew: Crew) -> None:
    # given a message
    message = await send(app, crew.alice, crew.id, "members only")

    # when the outsider marks it read
    result = await call(app, crew.outsider, MARK_READ, {"c": crew.id, "cursor": message["cursor"]})

    # then FORBIDDEN and no membership appears
    assert result.code == "FORBIDDEN"
    assert not await Membership.exists(challenge_id=crew.challenge.id, member_id=crew.outsider.member.id)


async def test_unread_count_of_an_outsider_is_forbidden(app: AppServer, crew: Crew) -> None:
    # given the crew's challenge, seen by an outsider through Challenge.room
    query = "query C($id: ID!) { challenge(id: $id) { room { unreadCount } } }"

    # when the outsider asks for its unread count
    result = await call(app, crew.outsider, query, {"id": crew.id})

    # then FORBIDDEN
    assert result.code == "FORBIDDEN"
    assert result.data.get("challenge") is None

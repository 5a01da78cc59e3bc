"""myRooms: the viewer's rooms by latest activity, with unreadCount and lastMessage, in a fixed
number of SQL statements whatever the page size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request

from infra.settings import Settings
from infra.viewer import Viewer
from models.challenges import Challenge
from schema.context import Context
from schema.root import build_schema
from tests.chat.conftest import call, send
from tests.support.factories import Account, add_member, make_challenge
from tests.support.servers import AppServer
from tests.support.sql import SqlCounter
from web.services import build_runtime

MY_ROOMS = """
query Mine($first: Int, $after: String) {
  myRooms(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id unreadCount lastReadCursor
      challenge { id title }
      lastMessage { id body sender { id nickname } }
      pinnedMessage { id }
    }
  }
}
"""
DELETE_MESSAGE = "mutation Delete($id: ID!) { deleteMessage(id: $id) }"

NewAccount = Callable[..., Awaitable[Account]]


async def _rooms_of(new_account: NewAccount, viewer: Account, count: int) -> list[str]:
    """``count`` challenges led by others that ``viewer`` joined; their ids."""
    ids = []
    for _ in range(count):
        challenge = await make_challenge(await new_account())
        await add_member(challenge, viewer)
        ids.append(str(challenge.id))
    return ids


async def test_my_rooms_lists_rooms_by_latest_activity(app: AppServer, new_account: NewAccount) -> None:
    # given three rooms of the viewer; activity in the first, then the third, then the second
    viewer, friend = await new_account(), await new_account()
    first, second, third = await _rooms_of(new_account, viewer, 3)
    for challenge_id in (first, second, third):
        await add_member(await _challenge(challenge_id), friend)
    for challenge_id, body in ((first, "a"), (third, "c"), (second, "b")):
        await send(app, friend, challenge_id, body)

    # when the viewer lists their rooms
    page = (await call(app, viewer, MY_ROOMS, {"first": 20})).ok()["myRooms"]

    # then the latest activity comes first, each with its last message and unread count
    assert [node["challenge"]["id"] for node in page["nodes"]] == [second, third, first]
    assert [node["lastMessage"]["body"] for node in page["nodes"]] == ["b", "c", "a"]
    assert [node["unreadCount"] for node in page["nodes"]] == [1, 1, 1]
    assert page["totalCount"] == 3 and page["pageInfo"]["hasNextPage"] is False


async def test_my_rooms_pages_with_after(app: AppServer, new_account: NewAccount) -> None:
    # given three rooms, the newest activity in the last one
    viewer = await new_account()
    rooms = await _rooms_of(new_account, viewer, 3)
    for challenge_id in rooms:
        await send(app, viewer, challenge_id, "hello")

    # when the viewer reads two, then the rest
    first = (await call(app, viewer, MY_ROOMS, {"first": 2})).ok()["myRooms"]
    after = first["pageInfo"]["endCursor"]
    rest = (await call(app, viewer, MY_ROOMS, {"first": 2, "after": after})).ok()["myRooms"]

    # then every room once, newest activity first
    ids = [node["challenge"]["id"] for node in first["nodes"] + rest["nodes"]]
    assert ids == list(reversed(rooms))
    assert (first["pageInfo"]["hasNextPage"], rest["pageInfo"]["hasNextPage"]) == (True, False)
    assert [node["unreadCount"] for node in first["nodes"] + rest["nodes"]] == [0, 0, 0]


async def test_my_rooms_last_message_skips_deleted_ones(app: AppServer, new_account: NewAccount) -> None:
    # given a room whose latest message was deleted
    viewer = await new_account()
    (room,) = await _rooms_of(new_account, viewer, 1)
    await send(app, viewer, room, "kept")
    gone = await send(app, viewer, room, "gone")
    (await call(app, viewer, DELETE_MESSAGE, {"id": gone["id"]})).ok()

    # when the viewer lists their rooms
    page = (await call(app, viewer, MY_ROOMS, {"first": 5})).ok()["myRooms"]

    # then the last message is the one before
    assert page["nodes"][0]["lastMessage"]["body"] == "kept"


async def test_my_rooms_with_a_bad_cursor_is_bad_input(app: AppServer, new_account: NewAccount) -> None:
    # given a member
    viewer = await new_account()

    # when they pass a cursor of something else
    result = await call(app, viewer, MY_ROOMS, {"first": 5, "after": "bm90LWEtcm9vbQ"})

    # then BAD_USER_INPUT on after
    assert (result.code, result.field) == ("BAD_USER_INPUT", "after")
    assert result.data.get("myRooms") is None


async def _challenge(challenge_id: str) -> Challenge:
    return await Challenge.get(id=int(challenge_id))


async def _run_page(settings: Settings, viewer: Account, first: int, counter: SqlCounter) -> dict[str, Any]:
    schema = build_schema(settings)
    context = Context(
        services=(runtime := build_runtime(settings)).services,
        bus=runtime.bus,
        request=Request({"type": "http", "method": "POST", "headers": [], "path": "/graphql"}),
        viewer=Viewer(id=viewer.member.id, token_id="test", expires_at=dt.datetime.now(dt.UTC)),
    )
    counter.statements.clear()
    result = await schema.execute(MY_ROOMS, variable_values={"first": first}, context_value=context)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def test_my_rooms_query_count_does_not_grow_with_page_size(
    app: AppServer, new_account: NewAccount, settings: Settings, sql_counter: SqlCounter
) -> None:
    # given 20 rooms of the viewer, each with a message of its leader
    viewer = await new_account()
    for _ in range(20):
        leader = await new_account()
        challenge = await make_challenge(leader)
        await add_member(challenge, viewer)
        await send(app, leader, str(challenge.id), "news")

    # when pages of 2 and of 20 are read
    small = await _run_page(settings, viewer, 2, sql_counter)
    small_count = len(sql_counter.statements)
    full = await _run_page(settings, viewer, 20, sql_counter)
    full_count = len(sql_counter.statements)

    # then the same statements: page, count, read states, last message ids, messages, senders,
    # challenges, rooms (pins)
    assert len(small["myRooms"]["nodes"]) == 2 and len(full["myRooms"]["nodes"]) == 20
    assert [node["unreadCount"] for node in full["myRooms"]["nodes"]] == [1] * 20
    assert all(node["lastMessage"]["body"] == "news" for node in full["myRooms"]["nodes"])
    assert full_count == small_count
    assert full_count <= 8, sql_counter.statements


async def test_my_rooms_after_a_cursor_of_another_members_room_tells_nothing(
    app: AppServer, new_account: NewAccount
) -> None:
    # given an attacker's room, then later activity in a room the attacker is not in
    attacker, stranger = await new_account(), await new_account()
    (own,) = await _rooms_of(new_account, attacker, 1)
    await send(app, attacker, own, "mine")
    (private,) = await _rooms_of(new_account, stranger, 1)
    await send(app, stranger, private, "later, elsewhere")
    foreign = (await call(app, stranger, MY_ROOMS, {"first": 1})).ok()["myRooms"]["pageInfo"]["endCursor"]

    # when the attacker pages their rooms after the private room's cursor (a room older than it
    # would come back, telling that the private room was active since)
    page = (await call(app, attacker, MY_ROOMS, {"first": 5, "after": foreign})).ok()["myRooms"]

    # then the cursor places nothing: an empty page
    assert page["nodes"] == [] and page["pageInfo"]["hasNextPage"] is False

"""roomEvents over a real WebSocket: fan-out, presence, membership, resume by cursor."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from models.chat import Message
from tests.realtime.conftest import Crew, send
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

ROOM_EVENTS = """
subscription Room($challengeId: ID!, $after: String) {
  roomEvents(challengeId: $challengeId, after: $after) {
    type cursor messageId at
    message { id body cursor sender { id nickname } }
    member { id }
    onlineMembers { id }
  }
}
"""

ONLINE = "query Online($challengeId: ID!) { room(challengeId: $challengeId) { onlineMembers { id } } }"

OpenSocket = Callable[..., Awaitable[GraphQLWebSocket]]


async def next_event(socket: GraphQLWebSocket, op: str) -> dict[str, Any]:
    return (await socket.next_data(op))["roomEvents"]  # type: ignore[no-any-return]


async def next_of(socket: GraphQLWebSocket, op: str, type: str) -> dict[str, Any]:
    """The next event of ``type`` (presence events of other tests' members may interleave)."""
    while True:
        event = await next_event(socket, op)
        if event["type"] == type:
            return event


async def operation_errors(socket: GraphQLWebSocket, op: str) -> list[dict[str, Any]]:
    """The errors that ended an operation (an ``error`` message or a ``next`` with errors)."""
    message = await socket.receive(op)
    errors: list[dict[str, Any]] = (
        message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    )
    return errors


async def open_room(
    sockets: OpenSocket, app: AppServer, account: Any, crew: Crew, after: str | None = None
) -> tuple[GraphQLWebSocket, str]:
    socket = await sockets(account, server=app)
    op = await socket.subscribe(ROOM_EVENTS, {"challengeId": crew.id, "after": after})
    joined = await next_of(socket, op, "JOIN")
    assert joined["member"]["id"] == account.id
    return socket, op


async def test_subscribe_announces_join_to_the_opener_with_online_members(
    app: AppServer, crew: Crew, sockets: OpenSocket
) -> None:
    # given an open room subscription of alice
    alice, alice_op = await open_room(sockets, app, crew.alice, crew)

    # when bob opens one too (and sees his own JOIN: open_room checks it)
    await open_room(sockets, app, crew.bob, crew)

    # then alice sees bob's JOIN with both of them online
    event = await next_of(alice, alice_op, "JOIN")
    assert event["member"]["id"] == crew.bob.id
    assert {m["id"] for m in event["onlineMembers"]} == {crew.alice.id, crew.bob.id}
    assert event["cursor"] is None
    # and the room query agrees
    async with GraphQLClient(app.url, token=crew.leader.token) as graphql:
        room = (await graphql.execute(ONLINE, {"challengeId": crew.id})).ok()["room"]
    assert [m["id"] for m in room["onlineMembers"]] == sorted([crew.alice.id, crew.bob.id], key=int)


async def test_messages_fan_out_in_order_to_every_subscriber(
    app: AppServer, crew: Crew, sockets: OpenSocket
) -> None:
    # given three subscribers
    subscribers = [
        await open_room(sockets, app, account, crew) for account in (crew.leader, crew.alice, crew.bob)
    ]

    # when alice sends ten messages
    sent = [await send(app, crew.alice, crew.id, f"message {n}") for n in range(10)]

    # then each subscriber receives all ten, in order, with the sender and presence
    for socket, op in subscribers:
        received = [await next_of(socket, op, "MESSAGE") for _ in sent]
        assert [event["message"]["body"] for event in received] == [f"message {n}" for n in range(10)]
        assert [event["cursor"] for event in received] == [message["cursor"] for message in sent]
        assert received[0]["message"]["sender"]["id"] == crew.alice.id
        assert {m["id"] for m in received[-1]["onlineMembers"]} == {
            crew.leader.id,
            crew.alice.id,
            crew.bob.id,
        }
    assert await Message.filter(room__challenge_id=crew.challenge.id).count() == 10


async def test_closing_the_last_connection_announces_leave(
    app: AppServer, crew: Crew, sockets: OpenSocket
) -> None:
    # given alice and bob online, bob with two subscriptions
    alice, alice_op = await open_room(sockets, app, crew.alice, crew)
    bob, first = await open_room(sockets, app, crew.bob, crew)
    second = await bob.subscribe(ROOM_EVENTS, {"challengeId": crew.id})
    await next_of(bob, second, "JOIN")
    await next_of(alice, alice_op, "JOIN")
    await next_of(alice, alice_op, "JOIN")

    # when bob completes one subscription, nobody sees a LEAVE
    await bob.complete(first)
    await send(app, crew.leader, crew.id, "still here?")
    event = await next_event(alice, alice_op)
    assert event["type"] == "MESSAGE"
    assert {m["id"] for m in event["onlineMembers"]} == {crew.alice.id, crew.bob.id}

    # when bob's socket drops, alice sees bob LEAVE
    await bob.close()
    leave = await next_of(alice, alice_op, "LEAVE")
    assert leave["member"]["id"] == crew.bob.id
    assert [m["id"] for m in leave["onlineMembers"]] == [crew.alice.id]


async def test_subscribe_as_outsider_is_forbidden(app: AppServer, crew: Crew, sockets: OpenSocket) -> None:
    # given an authenticated member of another challenge
    socket = await sockets(crew.outsider, server=app)

    # when they subscribe to this room
    op = await socket.subscribe(ROOM_EVENTS, {"challengeId": crew.id})

    # then the operation ends with FORBIDDEN and nobody saw them join
    errors = await operation_errors(socket, op)
    assert errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_subscribe_anonymously_is_unauthenticated(
    app: AppServer, crew: Crew, sockets: OpenSocket
) -> None:
    # given an anonymous connection
    socket = await sockets(None, server=app)

    # when it subscribes to a room
    op = await socket.subscribe(ROOM_EVENTS, {"challengeId": crew.id})

    # then the operation ends with UNAUTHENTICATED
    errors = await operation_errors(socket, op)
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_resume_after_cursor_has_no_gap_and_no_duplicate_while_messages_flow(
    app: AppServer, crew: Crew, sockets: OpenSocket
) -> None:
    # given five messages already sent, and the cursor of the second
    first = [await send(app, crew.alice, crew.id, f"before {n}") for n in range(5)]
    cursor = first[1]["cursor"]

    # when bob resumes after it while alice keeps sending
    async def keep_sending() -> list[dict[str, Any]]:
        return [await send(app, crew.alice, crew.id, f"during {n}") for n in range(30)]

    sender = asyncio.create_task(keep_sending())
    await asyncio.sleep(0.05)
    socket = await sockets(crew.bob, server=app)
    op = await socket.subscribe(ROOM_EVENTS, {"challengeId": crew.id, "after": cursor})
    during = await sender

    # then bob receives every message after the cursor exactly once, in order
    expected = [m["body"] for m in first[2:]] + [m["body"] for m in during]
    received: list[str] = []
    while len(received) < len(expected):
        event = await next_event(socket, op)
        if event["type"] == "MESSAGE":
            received.append(event["message"]["body"])
    assert received == expected
    await send(app, crew.alice, crew.id, "after")
    assert (await next_of(socket, op, "MESSAGE"))["message"]["body"] == "after"


async def test_subscribe_with_a_foreign_cursor_is_bad_input(
    app: AppServer, crew: Crew, sockets: OpenSocket
) -> None:
    # given a cursor that is not a room cursor
    socket = await sockets(crew.alice, server=app)

    # when alice subscribes after it
    op = await socket.subscribe(ROOM_EVENTS, {"challengeId": crew.id, "after": "bm90LWEtY3Vyc29y"})

    # then BAD_USER_INPUT names `after`
    errors = await operation_errors(socket, op)
    assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert errors[0]["extensions"]["field"] == "after"

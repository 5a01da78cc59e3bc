"""setTyping: live only (nothing stored), told to the room's other subscribers (TYPING), listed
in Room.typingMembers for TYPING_TTL seconds (the viewer excluded), rate limited, and refused
without a live roomEvents subscription in the room."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from models.chat import Message, Room, RoomLogEntry
from resolvers.chat.typing import set_typing
from tests.chat.conftest import ROOM_EVENTS, SET_TYPING, call, next_of, online_in_room, room_presence
from tests.realtime.conftest import Crew, Local, send
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

OpenSocket = Callable[..., Awaitable[GraphQLWebSocket]]


async def stored(crew: Crew) -> tuple[int, int, int]:
    """What the database holds of the room: its last seq, its log entries, its messages."""
    room = await Room.get_or_none(challenge_id=crew.challenge.id)
    log = await RoomLogEntry.filter(room__challenge_id=crew.challenge.id).count()
    messages = await Message.filter(room__challenge_id=crew.challenge.id).count()
    return (room.last_seq if room else 0, log, messages)


async def test_set_typing_without_a_live_subscription_is_a_conflict(app: AppServer, crew: Crew) -> None:
    # given alice, a member with no roomEvents subscription open
    # when she says she is typing
    result = await call(app, crew.alice, SET_TYPING, {"c": crew.id})

    # then CONFLICT, and nobody is listed typing
    assert result.code == "CONFLICT"
    assert result.data.get("setTyping") is None
    assert (await room_presence(app, crew.bob, crew.id))["typingMembers"] == []


async def test_set_typing_as_outsider_is_forbidden(app: AppServer, crew: Crew) -> None:
    # given someone who is not a member of the challenge
    # when they say they are typing in its room
    result = await call(app, crew.outsider, SET_TYPING, {"c": crew.id})

    # then FORBIDDEN, and nobody is listed typing
    assert result.code == "FORBIDDEN"
    assert result.data.get("setTyping") is None
    assert (await room_presence(app, crew.bob, crew.id))["typingMembers"] == []


async def test_set_typing_in_a_missing_challenge_is_not_found(app: AppServer, crew: Crew) -> None:
    # given a challenge id that does not exist
    # when alice types there
    result = await call(app, crew.alice, SET_TYPING, {"c": "987654321"})

    # then NOT_FOUND
    assert result.code == "NOT_FOUND"
    assert result.data.get("setTyping") is None


async def test_set_typing_with_null_is_bad_input(app: AppServer, crew: Crew, sockets: OpenSocket) -> None:
    # given alice online in the room
    alice = await sockets(crew.alice, server=app)
    await online_in_room(alice, crew.alice, crew.id)

    # when she passes typing: null
    result = await call(app, crew.alice, SET_TYPING, {"c": crew.id, "typing": None})

    # then BAD_USER_INPUT on `typing`, and she is not listed typing
    assert (result.code, result.field) == ("BAD_USER_INPUT", "typing")
    assert (await room_presence(app, crew.bob, crew.id))["typingMembers"] == []


async def test_set_typing_tells_the_other_subscribers_and_stores_nothing(
    app: AppServer, crew: Crew, sockets: OpenSocket
) -> None:
    # given alice and bob subscribed to the room
    alice, bob = await sockets(crew.alice, server=app), await sockets(crew.bob, server=app)
    alice_op = await online_in_room(alice, crew.alice, crew.id)
    bob_op = await online_in_room(bob, crew.bob, crew.id)
    assert (await next_of(alice, alice_op, "JOIN"))["member"]["id"] == crew.bob.id
    before = await stored(crew)

    # when alice starts typing
    result = await call(app, crew.alice, SET_TYPING, {"c": crew.id})

    # then bob gets TYPING from her, with the room's presence
    assert result.ok()["setTyping"] is True
    event = await next_of(bob, bob_op, "TYPING")
    assert (event["member"]["id"], event["typing"]) == (crew.alice.id, True)
    assert {member["id"] for member in event["onlineMembers"]} == {crew.alice.id, crew.bob.id}
    # and alice does not get her own: the next event she sees is bob's message
    await send(app, crew.bob, crew.id, "after the typing")
    after = await alice.next_data(alice_op)
    assert after["roomEvents"]["type"] == "MESSAGE"
    # and the database holds only that message: the typing wrote nothing
    assert await stored(crew) == (before[0] + 1, before[1], before[2] + 1)


async def test_typing_members_lists_the_typist_to_the_others_only(
    app: AppServer, crew: Crew, sockets: OpenSocket
) -> None:
    # given alice online in the room
    alice = await sockets(crew.alice, server=app)
    await online_in_room(alice, crew.alice, crew.id)

    # when she starts typing
    (await call(app, crew.alice, SET_TYPING, {"c": crew.id, "typing": True})).ok()

    # then bob and the leader see her typing; she does not see herself
    assert (await room_presence(app, crew.bob, crew.id))["typingMembers"] == [{"id": crew.alice.id}]
    assert (await room_presence(app, crew.leader, crew.id))["typingMembers"] == [{"id": crew.alice.id}]
    assert (await room_presence(app, crew.alice, crew.id))["typingMembers"] == []


async def test_set_typing_false_stops_at_once(app: AppServer, crew: Crew, sockets: OpenSocket) -> None:
    # given alice typing, watched by bob
    bob = await sockets(crew.bob, server=app)
    bob_op = await online_in_room(bob, crew.bob, crew.id)
    alice = await sockets(crew.alice, server=app)
    await online_in_room(alice, crew.alice, crew.id)
    (await call(app, crew.alice, SET_TYPING, {"c": crew.id})).ok()
    assert (await next_of(bob, bob_op, "TYPING"))["typing"] is True

    # when she stops
    result = await call(app, crew.alice, SET_TYPING, {"c": crew.id, "typing": False})

    # then bob gets TYPING false, and she is no longer listed
    assert result.ok()["setTyping"] is False
    stopped = await next_of(bob, bob_op, "TYPING")
    assert (stopped["member"]["id"], stopped["typing"]) == (crew.alice.id, False)
    assert (await room_presence(app, crew.bob, crew.id))["typingMembers"] == []


async def test_typing_ends_with_the_presence(app: AppServer, crew: Crew, sockets: OpenSocket) -> None:
    # given alice typing, watched by bob
    bob = await sockets(crew.bob, server=app)
    bob_op = await online_in_room(bob, crew.bob, crew.id)
    alice = await sockets(crew.alice, server=app)
    alice_op = await online_in_room(alice, crew.alice, crew.id)
    (await call(app, crew.alice, SET_TYPING, {"c": crew.id})).ok()

    # when she closes her subscription (well within the typing TTL)
    await alice.complete(alice_op)
    await next_of(bob, bob_op, "LEAVE")

    # then she is no longer listed typing
    assert (await room_presence(app, crew.bob, crew.id))["typingMembers"] == []


async def test_typing_members_expire_after_the_typing_ttl(
    start_app: Callable[..., AppServer], crew: Crew, sockets: OpenSocket
) -> None:
    # given a server whose typing marks last 1 second, alice online through it
    server = start_app(TYPING_TTL="1")
    alice = await sockets(crew.alice, server=server)
    await online_in_room(alice, crew.alice, crew.id)

    # when she types once
    (await call(server, crew.alice, SET_TYPING, {"c": crew.id})).ok()
    listed = (await room_presence(server, crew.bob, crew.id))["typingMembers"]
    await asyncio.sleep(1.5)

    # then bob saw her typing, and after the TTL no longer does
    assert listed == [{"id": crew.alice.id}]
    assert (await room_presence(server, crew.bob, crew.id))["typingMembers"] == []


async def test_set_typing_over_the_rate_limit_is_rate_limited(
    start_app: Callable[..., AppServer], crew: Crew, sockets: OpenSocket
) -> None:
    # given a server allowing 3 setTyping per minute, alice online through it and bob watching
    server = start_app(LIMIT_SET_TYPING="3/60")
    alice = await sockets(crew.alice, server=server)
    await online_in_room(alice, crew.alice, crew.id)
    bob = await sockets(crew.bob, server=server)
    bob_op = await online_in_room(bob, crew.bob, crew.id)

    # when she calls it four times
    for typing in (True, False, True):
        (await call(server, crew.alice, SET_TYPING, {"c": crew.id, "typing": typing})).ok()
    result = await call(server, crew.alice, SET_TYPING, {"c": crew.id, "typing": False})

    # then the fourth is RATE_LIMITED with retryAfter: she is still typing, and bob got three TYPING
    assert result.code == "RATE_LIMITED"
    assert 1 <= result.error["extensions"]["retryAfter"] <= 60
    assert (await room_presence(server, crew.bob, crew.id))["typingMembers"] == [{"id": crew.alice.id}]
    assert [(await next_of(bob, bob_op, "TYPING"))["typing"] for _ in range(3)] == [True, False, True]
    await bob.expect_nothing(bob_op, within=0.5)


class _OwnStatements(logging.Handler):
    """SQL statements logged by one asyncio task (the process's watch task runs queries too)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.task = asyncio.current_task()
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if asyncio.current_task() is self.task:
            self.statements.append(record.getMessage())


async def test_set_typing_reads_and_writes_no_database_row(local: Local, crew: Crew) -> None:
    # given alice's room stream open in this process, and one warm-up call
    stream = await local.subscribe(ROOM_EVENTS, {"c": crew.id}, crew.alice)
    assert (await asyncio.wait_for(anext(stream), 10)).data["roomEvents"]["type"] == "JOIN"
    viewer = local.context(crew.alice).viewer
    assert viewer is not None
    await set_typing(services=local.services, viewer=viewer, challenge_id=crew.challenge.id, typing=True)

    # when she types ten more times, SQL statements of this task counted
    logger = logging.getLogger("tortoise.db_client")
    counter, level = _OwnStatements(), logger.level
    logger.addHandler(counter)
    logger.setLevel(logging.DEBUG)
    try:
        for n in range(10):
            await set_typing(
                services=local.services, viewer=viewer, challenge_id=crew.challenge.id, typing=n % 2 == 0
            )
    finally:
        logger.removeHandler(counter)
        logger.setLevel(level)

    # then not one statement ran, and the presence store has her typing as last set
    assert counter.statements == []
    assert await local.services.presence.typists(crew.challenge.id) == []
    await stream.aclose()

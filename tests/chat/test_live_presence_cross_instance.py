"""Status and typing across two app instances on one PostgreSQL and one Redis: a member's call
may reach an instance that does not hold their subscription, and every instance agrees."""

from __future__ import annotations

import signal
from collections.abc import Awaitable, Callable
from typing import Any

from tests.chat.conftest import (
    SET_PRESENCE_STATUS,
    SET_TYPING,
    call,
    next_of,
    online_in_room,
    room_presence,
    statuses,
)
from tests.conftest import postgres_only
from tests.realtime.conftest import Crew
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

pytestmark = postgres_only

OpenSocket = Callable[..., Awaitable[GraphQLWebSocket]]


async def test_typing_crosses_instances(
    app: AppServer, start_app: Callable[..., AppServer], crew: Crew, sockets: OpenSocket
) -> None:
    # given alice subscribed on the first instance, bob on a second one
    second = start_app()
    alice = await sockets(crew.alice, server=app)
    await online_in_room(alice, crew.alice, crew.id)
    bob = await sockets(crew.bob, server=second)
    bob_op = await online_in_room(bob, crew.bob, crew.id)

    # when alice's setTyping reaches the second instance (where she has no subscription)
    result = await call(second, crew.alice, SET_TYPING, {"c": crew.id})

    # then it is accepted, bob gets TYPING, and both instances list her typing
    assert result.ok()["setTyping"] is True
    event = await next_of(bob, bob_op, "TYPING")
    assert (event["member"]["id"], event["typing"]) == (crew.alice.id, True)
    for server in (app, second):
        assert (await room_presence(server, crew.bob, crew.id))["typingMembers"] == [{"id": crew.alice.id}]


async def test_presence_status_crosses_instances_and_ends_with_the_presence(
    app: AppServer, start_app: Callable[..., AppServer], crew: Crew, sockets: OpenSocket
) -> None:
    # given alice subscribed on the first instance, bob on a second one
    second = start_app()
    alice = await sockets(crew.alice, server=app)
    alice_op = await online_in_room(alice, crew.alice, crew.id)
    bob = await sockets(crew.bob, server=second)
    bob_op = await online_in_room(bob, crew.bob, crew.id)

    # when alice's setPresenceStatus reaches the second instance
    result = await call(second, crew.alice, SET_PRESENCE_STATUS, {"c": crew.id, "status": "STUDYING"})

    # then bob (second) and alice (first) get STATUS, and both instances show her studying
    assert result.ok()["setPresenceStatus"]["status"] == "STUDYING"
    for socket, op in ((bob, bob_op), (alice, alice_op)):
        event = await next_of(socket, op, "STATUS")
        assert statuses(event["presence"]) == {crew.alice.id: "STUDYING", crew.bob.id: "ONLINE"}
    for server in (app, second):
        room = await room_presence(server, crew.leader, crew.id)
        assert statuses(room["presence"]) == {crew.alice.id: "STUDYING", crew.bob.id: "ONLINE"}

    # when she leaves the first instance and comes back on the second
    await alice.complete(alice_op)
    await next_of(bob, bob_op, "LEAVE")
    again = await sockets(crew.alice, server=second)
    await online_in_room(again, crew.alice, crew.id)

    # then her status ended with her presence: she is ONLINE again, everywhere
    for server in (app, second):
        room = await room_presence(server, crew.leader, crew.id)
        assert statuses(room["presence"]) == {crew.alice.id: "ONLINE", crew.bob.id: "ONLINE"}


async def test_status_and_typing_of_a_killed_instance_end_within_the_presence_ttl(
    app: AppServer, start_app: Callable[..., AppServer], crew: Crew, sockets: OpenSocket, settings: Any
) -> None:
    # given alice studying and typing through an instance about to die, bob watching from the first
    doomed = start_app()
    bob = await sockets(crew.bob, server=app)
    bob_op = await online_in_room(bob, crew.bob, crew.id)
    alice = await sockets(crew.alice, server=doomed)
    await online_in_room(alice, crew.alice, crew.id)
    (await call(app, crew.alice, SET_PRESENCE_STATUS, {"c": crew.id, "status": "STUDYING"})).ok()
    (await call(app, crew.alice, SET_TYPING, {"c": crew.id})).ok()

    # when that instance is SIGKILLed (no cleanup runs)
    doomed.stop(signal.SIGKILL)

    # then within the TTL bob sees her LEAVE, with neither her status nor her typing left
    left = await next_of(bob, bob_op, "LEAVE", within=settings.presence_ttl * 2 + 2)
    assert left["member"]["id"] == crew.alice.id
    assert statuses(left["presence"]) == {crew.bob.id: "ONLINE"}
    room = await room_presence(app, crew.bob, crew.id)
    assert (room["typingMembers"], statuses(room["presence"])) == ([], {crew.bob.id: "ONLINE"})
    refused = await call(app, crew.alice, SET_TYPING, {"c": crew.id})
    assert refused.code == "CONFLICT"

"""Two app instances on one PostgreSQL and one Redis behave as one service."""

from __future__ import annotations

import signal
import time
from collections.abc import Awaitable, Callable
from typing import Any

from tests.conftest import postgres_only
from tests.realtime.conftest import Crew, send
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

pytestmark = postgres_only

ROOM_EVENTS = """
subscription R($c: ID!) {
  roomEvents(challengeId: $c) { type message { body } member { id } onlineMembers { id } }
}
"""
ONLINE = "query Online($c: ID!) { room(challengeId: $c) { onlineMembers { id } } }"

OpenSocket = Callable[..., Awaitable[GraphQLWebSocket]]


async def next_of(socket: GraphQLWebSocket, op: str, type: str, within: float = 10.0) -> dict[str, Any]:
    while True:
        event = (await socket.next_data(op, within))["roomEvents"]
        if event["type"] == type:
            return event  # type: ignore[no-any-return]


async def online(server: AppServer, crew: Crew) -> list[str]:
    async with GraphQLClient(server.url, token=crew.leader.token) as graphql:
        room = (await graphql.execute(ONLINE, {"c": crew.id})).ok()["room"]
    return [member["id"] for member in room["onlineMembers"]]


async def test_messages_and_presence_cross_instances(
    app: AppServer, start_app: Callable[..., AppServer], crew: Crew, sockets: OpenSocket
) -> None:
    # given alice on the shared instance and bob on a second one
    second = start_app()
    alice = await sockets(crew.alice, server=app)
    alice_op = await alice.subscribe(ROOM_EVENTS, {"c": crew.id})
    await next_of(alice, alice_op, "JOIN")
    bob = await sockets(crew.bob, server=second)
    bob_op = await bob.subscribe(ROOM_EVENTS, {"c": crew.id})

    # then alice sees bob join, both are online from either instance
    joined = await next_of(alice, alice_op, "JOIN")
    assert joined["member"]["id"] == crew.bob.id
    assert {m["id"] for m in joined["onlineMembers"]} == {crew.alice.id, crew.bob.id}
    assert (
        await online(app, crew) == await online(second, crew) == sorted([crew.alice.id, crew.bob.id], key=int)
    )

    # when alice sends on the first instance and the leader on the second
    await send(app, crew.alice, crew.id, "from one")
    await send(second, crew.leader, crew.id, "from two")

    # then both subscribers get both messages in the same order
    for socket, op in ((alice, alice_op), (bob, bob_op)):
        bodies = [(await next_of(socket, op, "MESSAGE"))["message"]["body"] for _ in range(2)]
        assert bodies == ["from one", "from two"]

    # when bob disconnects from the second instance, alice sees him leave
    await bob.close()
    left = await next_of(alice, alice_op, "LEAVE")
    assert left["member"]["id"] == crew.bob.id
    assert await online(app, crew) == [crew.alice.id]


async def test_a_killed_instance_drops_out_of_presence_within_the_ttl(
    app: AppServer, start_app: Callable[..., AppServer], crew: Crew, sockets: OpenSocket, settings: Any
) -> None:
    # given alice on the shared instance and bob on an instance about to die
    doomed = start_app()
    alice = await sockets(crew.alice, server=app)
    alice_op = await alice.subscribe(ROOM_EVENTS, {"c": crew.id})
    await next_of(alice, alice_op, "JOIN")
    bob = await sockets(crew.bob, server=doomed)
    bob_op = await bob.subscribe(ROOM_EVENTS, {"c": crew.id})
    await next_of(bob, bob_op, "JOIN")
    await next_of(alice, alice_op, "JOIN")

    # when that instance is SIGKILLed (no cleanup runs)
    killed_at = time.monotonic()
    doomed.stop(signal.SIGKILL)

    # then within the TTL (plus a heartbeat) alice sees bob LEAVE and the room agrees
    ttl = settings.presence_ttl
    left = await next_of(alice, alice_op, "LEAVE", within=ttl * 2 + 2)
    assert left["member"]["id"] == crew.bob.id
    assert time.monotonic() - killed_at <= ttl + ttl / 3 + 1.5
    assert [m["id"] for m in left["onlineMembers"]] == [crew.alice.id]
    assert await online(app, crew) == [crew.alice.id]

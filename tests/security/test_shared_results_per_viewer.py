"""Attack on shared subscription results: one execution per event must never serve a field that
depends on who is asking to someone else. Sharing is an allow-list declared on the fields."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from graphql import GraphQLField, GraphQLObjectType, get_named_type

from infra.settings import Settings
from schema.root import build_schema
from tests.realtime.conftest import send
from tests.support.factories import Account, add_member, make_challenge
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

# From a message in a shared room, through the sender's challenges, to another room's presence.
REACHING_ANOTHER_ROOM = """
subscription Reach($challengeId: ID!) {
  roomEvents(challengeId: $challengeId) {
    type
    message { body sender { challenges { challenge { id room { onlineMembers { id } } } } } }
  }
}
"""
ONLINE = "subscription Online($challengeId: ID!) { roomEvents(challengeId: $challengeId) { type } }"

NewAccount = Callable[..., Awaitable[Account]]
Sockets = Callable[..., Awaitable[GraphQLWebSocket]]


@pytest.fixture
async def sockets() -> AsyncIterator[Sockets]:
    opened: list[GraphQLWebSocket] = []

    async def open_socket(account: Account, server: AppServer) -> GraphQLWebSocket:
        opened.append(await GraphQLWebSocket.connect(server.ws_url, token=account.token))
        return opened[-1]

    yield open_socket
    for socket in opened:
        await socket.close()


async def _next_message_event(socket: GraphQLWebSocket, op: str) -> dict[str, Any]:
    """The payload of the first MESSAGE event (JOIN/LEAVE presence events are skipped)."""
    while True:
        message = await socket.receive(op)
        assert message["type"] == "next", message
        if message["payload"]["data"]["roomEvents"]["type"] == "MESSAGE":
            return dict(message["payload"])


def _reachable_fields(root: GraphQLObjectType) -> dict[str, GraphQLField]:
    fields: dict[str, GraphQLField] = {}
    pending, seen = [root], {root.name}
    while pending:
        named = pending.pop()
        for name, field in named.fields.items():
            fields[f"{named.name}.{name}"] = field
            target = get_named_type(field.type)
            if isinstance(target, GraphQLObjectType) and target.name not in seen:
                seen.add(target.name)
                pending.append(target)
    return fields


async def test_subscribers_reaching_another_rooms_online_members_never_share_the_result(
    app: AppServer, new_account: NewAccount, sockets: Sockets
) -> None:
    # given: alice and bob share a room; alice also leads a private challenge bob is not in,
    # and she is online in its room
    alice, bob, leader = await new_account(), await new_account(), await new_account()
    shared = await make_challenge(leader, title="Shared")
    await add_member(shared, alice)
    await add_member(shared, bob)
    private = await make_challenge(alice, title="Private")
    alice_socket, bob_socket = await sockets(alice, server=app), await sockets(bob, server=app)
    online = await alice_socket.subscribe(ONLINE, {"challengeId": str(private.id)})
    assert (await alice_socket.next_data(online))["roomEvents"]["type"] == "JOIN"
    variables = {"challengeId": str(shared.id)}
    alice_op = await alice_socket.subscribe(REACHING_ANOTHER_ROOM, variables)
    bob_op = await bob_socket.subscribe(REACHING_ANOTHER_ROOM, variables)
    await alice_socket.receive(alice_op)  # her own JOIN: both subscriptions are live
    await bob_socket.receive(bob_op)

    # when: alice writes in the shared room, and both receive the same selection
    await send(app, alice, str(shared.id), "hello")
    alice_event = await _next_message_event(alice_socket, alice_op)
    bob_event = await _next_message_event(bob_socket, bob_op)

    # then: alice sees who is online in her private room; bob is refused it
    assert "errors" not in alice_event, alice_event
    rooms = {
        row["challenge"]["id"]: row["challenge"]["room"]["onlineMembers"]
        for row in alice_event["data"]["roomEvents"]["message"]["sender"]["challenges"]
    }
    assert rooms[str(private.id)] == [{"id": alice.id}]
    assert [error["extensions"]["code"] for error in bob_event["errors"]] == ["FORBIDDEN"]
    assert bob_event["data"]["roomEvents"]["message"] is None


def test_every_field_reachable_from_subscription_declares_whether_it_is_shared() -> None:
    # given: every field a subscription can select, in the served schema
    from subscriptions.fanout import field_audience

    schema = build_schema(Settings())._schema
    assert schema.subscription_type is not None
    fields = _reachable_fields(schema.subscription_type)

    # when: each is asked whether its result may be shared across viewers
    undeclared = sorted(name for name, field in fields.items() if field_audience(field) is None)

    # then: every one says (plain attributes of a shared object are shared with it), and the
    # fields that check the viewer say they depend on it
    assert undeclared == []
    assert field_audience(fields["Room.onlineMembers"]) == "viewer"
    assert field_audience(fields["Member.email"]) == "viewer"
    assert field_audience(fields["Challenge.viewerRole"]) == "viewer"

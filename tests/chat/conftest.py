"""Fixtures of the chat tests: the real-time tests' crew (a challenge with a leader, alice, bob
and an outsider), sockets and in-process stacks, helpers to call the chat mutations, and the
live-presence operations every presence module here uses."""

from __future__ import annotations

from typing import Any

from tests.realtime.conftest import Crew, crew, local, make_local, send, sockets
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient, Result
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

__all__ = ["Crew", "call", "crew", "local", "make_local", "send", "sockets"]

ROOM_EVENTS = """
subscription R($c: ID!) {
  roomEvents(challengeId: $c) {
    type typing at member { id } onlineMembers { id } presence { member { id } status since }
  }
}
"""
SET_PRESENCE_STATUS = """
mutation SetPresenceStatus($c: ID!, $status: PresenceStatus!) {
  setPresenceStatus(challengeId: $c, status: $status) { member { id } status since }
}
"""
SET_TYPING = "mutation SetTyping($c: ID!, $typing: Boolean) { setTyping(challengeId: $c, typing: $typing) }"
ROOM_PRESENCE = """
query RoomPresence($c: ID!) {
  room(challengeId: $c) { presence { member { id } status since } typingMembers { id } }
}
"""


async def call(app: AppServer, account: Account, operation: str, variables: dict[str, Any]) -> Result:
    """Run ``operation`` as ``account`` on ``app``."""
    async with GraphQLClient(app.url, token=account.token) as graphql:
        return await graphql.execute(operation, variables)


async def room_presence(server: AppServer, account: Account, challenge_id: str) -> dict[str, Any]:
    """``room { presence typingMembers }`` as ``account`` sees it."""
    room: dict[str, Any] = (await call(server, account, ROOM_PRESENCE, {"c": challenge_id})).ok()["room"]
    return room


def statuses(presence: list[dict[str, Any]]) -> dict[str, str]:
    return {entry["member"]["id"]: entry["status"] for entry in presence}


async def next_of(socket: GraphQLWebSocket, op: str, type: str, within: float = 10.0) -> dict[str, Any]:
    """The next event of ``type`` on operation ``op`` (others skipped)."""
    while True:
        event: dict[str, Any] = (await socket.next_data(op, within))["roomEvents"]
        if event["type"] == type:
            return event


async def online_in_room(socket: GraphQLWebSocket, account: Account, challenge_id: str) -> str:
    """Subscribe ``socket`` to the room as ``account`` and wait for its own JOIN."""
    op = await socket.subscribe(ROOM_EVENTS, {"c": challenge_id})
    while (await next_of(socket, op, "JOIN"))["member"]["id"] != account.id:
        pass
    return op

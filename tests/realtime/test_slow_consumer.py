"""Queues are bounded (``WS_SUBSCRIPTION_QUEUE``): a stream that stops reading never holds more
than its bound; it catches up from the database, and one too far behind is ended so its
client resumes by cursor (a WebSocket is closed with 1013, which graphql-ws retries)."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import socket
from collections.abc import AsyncGenerator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import websockets
from websockets.asyncio.client import ClientConnection

from resolvers.chat.mutations import send_message
from tests.realtime.conftest import SEND_MESSAGE, Crew, Local
from tests.realtime.probes import messages_received
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer
from tests.support.ws import PROTOCOL, GraphQLWebSocket

ROOM_EVENTS = """
subscription Room($challengeId: ID!) { roomEvents(challengeId: $challengeId) { type message { id } } }
"""
BOUND = 16
MESSAGES = 300
# The stalled client asks for each body 15 times (~14 KB a frame), so the server's socket
# buffers fill after a few dozen events and its writes block, as with a client on a dead link.
BODIES = " ".join(f"b{index}: body" for index in range(15))
STALLED_EVENTS = (
    "subscription Room($challengeId: ID!) { roomEvents(challengeId: $challengeId) { type message { id "
    + BODIES
    + " } } }"
)

OpenSocket = Callable[..., Awaitable[GraphQLWebSocket]]


async def next_event(stream: AsyncGenerator[Any, None]) -> dict[str, Any]:
    result = await asyncio.wait_for(anext(stream), 10)
    assert not result.errors, result.errors
    return result.data["roomEvents"]  # type: ignore[no-any-return]


async def open_stream(local: Local, crew: Crew) -> AsyncGenerator[Any, None]:
    stream = await local.subscribe(ROOM_EVENTS, {"challengeId": crew.id}, crew.bob)
    assert (await next_event(stream))["type"] == "JOIN"
    return stream  # type: ignore[no-any-return]


async def post(local: Local, crew: Crew, count: int) -> list[str]:
    """``count`` messages from alice through the real resolver (stored, then published)."""
    viewer = local.context(crew.alice).viewer
    assert viewer is not None
    sent = []
    for index in range(count):
        message = await send_message(
            services=local.services, viewer=viewer, challenge_id=crew.challenge.id, body=f"m{index}"
        )
        sent.append(str(message.id))
    return sent


async def test_a_stream_that_stops_reading_holds_at_most_its_bound_then_catches_up_in_order(
    make_local: Callable[..., Awaitable[Local]], crew: Crew
) -> None:
    # given bob's stream, which stops reading
    local = await make_local(ws_subscription_queue=BOUND)
    stream = await open_stream(local, crew)

    # when half again its bound of messages is sent
    sent = await post(local, crew, BOUND + BOUND // 2)
    await asyncio.sleep(0.2)  # delivered to the stream's queue, on a Redis bus too

    # then its queue never held more than the bound, having overflowed once
    assert local.bus.queues.peak <= BOUND
    assert local.bus.queues.overflows == 1
    # and once it reads again it gets every message, once, in order (from the database)
    received = [(await next_event(stream))["message"]["id"] for _ in sent]
    assert received == sent
    await stream.aclose()


async def test_a_stream_too_far_behind_is_ended_so_its_client_resumes(
    make_local: Callable[..., Awaitable[Local]], crew: Crew
) -> None:
    # given bob's stream, which stops reading
    local = await make_local(ws_subscription_queue=BOUND)
    stream = await open_stream(local, crew)

    # when more than twice its bound of messages is sent
    await post(local, crew, BOUND * 3)
    await asyncio.sleep(0.2)

    # then the stream is ended (its queue is gone), never holding more than its bound
    result = await asyncio.wait_for(anext(stream), 10)
    assert result.data is None
    assert result.errors[0].extensions["code"] == "INTERNAL_SERVER_ERROR"
    assert local.bus.queues.too_slow == 1
    assert local.bus.queues.peak <= BOUND
    # and bob is offline: nothing of the stream is left
    assert await local.services.presence.online(crew.challenge.id) == []


class StalledClient:
    """A graphql-transport-ws client that subscribes, then reads nothing until drained, on a
    socket with a small receive buffer so the server feels it at once."""

    def __init__(self, connection: ClientConnection, op: str) -> None:
        self.connection = connection
        self.op = op

    @classmethod
    async def open(cls, server: AppServer, account: Account, variables: dict[str, Any]) -> StalledClient:
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        raw.setblocking(False)
        await asyncio.get_running_loop().sock_connect(raw, ("127.0.0.1", server.port))
        connection = await websockets.connect(
            server.ws_url,
            sock=raw,
            subprotocols=[PROTOCOL],
            max_queue=1,
            compression=None,  # the frames must weigh what they say
            max_size=2**22,  # type: ignore[list-item]
        )
        await connection.send(
            json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {account.token}"}})
        )
        assert json.loads(await connection.recv())["type"] == "connection_ack"
        await connection.send(
            json.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": STALLED_EVENTS, "variables": variables}}
            )
        )
        assert json.loads(await connection.recv())["payload"]["data"]["roomEvents"]["type"] == "JOIN"
        return cls(connection, "1")

    async def drain(self) -> tuple[list[str], int | None]:
        """MESSAGE ids received, then the close code (None if still open after a while)."""
        ids: list[str] = []
        try:
            while True:
                message = json.loads(await asyncio.wait_for(self.connection.recv(), 30))
                event = (message.get("payload", {}).get("data") or {}).get("roomEvents") or {}
                if event.get("type") == "MESSAGE":
                    ids.append(event["message"]["id"])
        except websockets.ConnectionClosed:
            return ids, self.connection.close_code
        except TimeoutError:
            return ids, None
        finally:
            await self.connection.close()


async def flood(server: AppServer, crew: Crew, count: int) -> list[str]:
    """``count`` large messages from the leader, acknowledged in order."""
    sent: list[str] = []
    async with GraphQLClient(server.url, token=crew.leader.token) as graphql:
        for index in range(count):
            result = await graphql.execute(
                SEND_MESSAGE, {"challengeId": crew.id, "body": f"{index:04d} {secrets.token_urlsafe(700)}"}
            )
            sent.append(result.ok()["sendMessage"]["id"])
    return sent


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


async def metric(server: AppServer, name: str) -> float:
    async with httpx.AsyncClient(timeout=5) as http:
        text = (await http.get(f"{server.url}/metrics")).text
    match = re.search(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.MULTILINE)
    assert match is not None, f"{name} not exported"
    return float(match.group(1))


async def test_a_client_that_stops_reading_is_closed_with_1013_and_others_get_everything(
    start_app: Callable[..., AppServer], crew: Crew, sockets: OpenSocket
) -> None:
    # given an instance with small queues, alice reading and bob's client that stops reading
    server = start_app(WS_SUBSCRIPTION_QUEUE=str(BOUND))
    alice = await sockets(crew.alice, server=server)
    alice_op = await alice.subscribe(ROOM_EVENTS, {"challengeId": crew.id})
    assert (await alice.next_data(alice_op))["roomEvents"]["type"] == "JOIN"
    stalled = await StalledClient.open(server, crew.bob, {"challengeId": crew.id})
    rss_before = rss_kib(server.pid)

    # when the leader sends many large messages
    sent = await flood(server, crew, MESSAGES)

    # then alice got every one, once, in order
    assert await messages_received(alice, alice_op, len(sent)) == sent
    # and the server's memory did not grow with bob's backlog, no queue exceeded its bound
    grown = rss_kib(server.pid) - rss_before
    peak = await metric(server, "eroom_subscription_queue_peak_events_total")
    print(f"RSS growth {grown} KiB for {len(sent)} messages; queue peak {peak}")
    assert peak <= BOUND
    # and once bob reads again he sees a gapless prefix of them, then the 1013 close
    received, code = await stalled.drain()
    assert received == sent[: len(received)]
    assert code == 1013

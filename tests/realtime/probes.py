"""Probes of running app instances for the real-time tests: readiness, metrics, presence,
Redis subscriptions, streams, and a conversation that keeps every acknowledgement."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from redis.asyncio import Redis

from tests.realtime.conftest import SEND_MESSAGE, Crew
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

ONLINE = "query Online($c: ID!) { room(challengeId: $c) { onlineMembers { id } } }"
ACTIVE_SUBSCRIPTIONS = re.compile(r"^eroom_subscriptions_active (\S+)$", re.MULTILINE)


async def eventually(check: Callable[[], Awaitable[bool]], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {what}")
        await asyncio.sleep(0.05)


@dataclass
class Conversation:
    """One sender posting through both instances in turn until stopped; keeps every ack."""

    servers: tuple[AppServer, AppServer]
    token: str
    challenge_id: str
    acked: list[dict[str, Any]] = field(default_factory=list)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        clients = [GraphQLClient(server.url, token=self.token) for server in self.servers]
        try:
            while not self.stopping.is_set():
                turn = len(self.acked)
                result = await clients[turn % 2].execute(
                    SEND_MESSAGE, {"challengeId": self.challenge_id, "body": f"message {turn}"}
                )
                # Sent while Redis may be down: it must still be stored and acknowledged.
                self.acked.append(result.ok()["sendMessage"])
                await asyncio.sleep(0.02)
        finally:
            for client in clients:
                await client.aclose()

    async def reach(self, count: int, task: asyncio.Task[None]) -> None:
        async def reached() -> bool:
            if task.done():
                task.result()  # a failed send fails the test with its own error
            return len(self.acked) >= count

        await eventually(reached, 20, f"{count} messages acknowledged")


async def ready_status(server: AppServer) -> int:
    async with httpx.AsyncClient(timeout=5) as http:
        return (await http.get(f"{server.url}/ready")).status_code


async def active_subscriptions(server: AppServer) -> float:
    async with httpx.AsyncClient(timeout=5) as http:
        text = (await http.get(f"{server.url}/metrics")).text
    match = ACTIVE_SUBSCRIPTIONS.search(text)
    assert match is not None, text
    return float(match.group(1))


async def numsub(redis: Redis, channel: str) -> int:
    [(_, count)] = await redis.pubsub_numsub(channel)
    return int(count)


async def online(server: AppServer, token: str, challenge_id: str) -> set[str]:
    async with GraphQLClient(server.url, token=token) as graphql:
        room = (await graphql.execute(ONLINE, {"c": challenge_id})).ok()["room"]
    return {member["id"] for member in room["onlineMembers"]}


async def messages_received(socket: GraphQLWebSocket, op: str, expected: int) -> list[str]:
    """MESSAGE ids of the stream until ``expected`` arrived, plus any extra within a short grace."""
    ids: list[str] = []
    deadline = time.monotonic() + 20
    while True:
        wait = deadline - time.monotonic() if len(ids) < expected else 0.5
        try:
            event = (await socket.next_data(op, max(wait, 0.01)))["roomEvents"]
        except TimeoutError:
            return ids
        if event["type"] == "MESSAGE":
            ids.append(event["message"]["id"])


async def next_of_type(socket: GraphQLWebSocket, op: str, type: str) -> dict[str, Any]:
    while True:
        event: dict[str, Any] = (await socket.next_data(op, 10))["roomEvents"]
        if event["type"] == type:
            return event


async def ready_is(server: AppServer, status: int) -> bool:
    return await ready_status(server) == status


async def all_online(server: AppServer, crew: Crew, members: set[str]) -> bool:
    return await online(server, crew.leader.token, crew.id) == members


async def is_online(server: AppServer, crew: Crew, member_id: str) -> bool:
    return member_id in await online(server, crew.leader.token, crew.id)


async def no_subscriptions(server: AppServer) -> bool:
    return await active_subscriptions(server) == 0


async def numsub_is_zero(redis: Redis, channel: str) -> bool:
    return await numsub(redis, channel) == 0

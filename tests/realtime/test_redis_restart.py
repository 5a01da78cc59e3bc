"""Real-time survives a Redis restart across two app instances on PostgreSQL + Redis.

redis-server is stopped mid-conversation and started again on the same port: every
acknowledged message still reaches every connected subscriber exactly once, in seq order;
a notification created during the outage arrives; ``/ready`` follows Redis; presence is
shared again afterwards; and closing every socket leaves no subscription behind.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from events.channels import member_channel, room_channel
from models.chat import Message
from models.notifications import Notification, NotificationType
from tests.conftest import postgres_only
from tests.realtime.conftest import SEND_MESSAGE, Crew
from tests.support.factories import Account, add_member
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer, RedisServer, redis_server
from tests.support.ws import GraphQLWebSocket

pytestmark = postgres_only

ROOM_EVENTS = """
subscription R($c: ID!) {
  roomEvents(challengeId: $c) { type cursor message { id body } member { id } onlineMembers { id } }
}
"""
NOTIFICATIONS = "subscription N { notifications { id type challengeId content } }"
JOIN_CHALLENGE = "mutation J($id: ID!) { joinChallenge(id: $id) { role } }"
ONLINE = "query Online($c: ID!) { room(challengeId: $c) { onlineMembers { id } } }"

# Messages acknowledged before the outage, during it, and after Redis is back.
PER_PHASE = 8
OUTAGE_AT_LEAST = 2.0  # seconds
ACTIVE_SUBSCRIPTIONS = re.compile(r"^eroom_subscriptions_active (\S+)$", re.MULTILINE)


async def eventually(check: Callable[[], Awaitable[bool]], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {what}")
        await asyncio.sleep(0.05)


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A redis-server of this test's own: stopping it must not disturb the shared app."""
    with redis_server() as server:
        yield server


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


@pytest.fixture
async def redis_client(own_redis: RedisServer) -> AsyncIterator[Redis]:
    client = Redis.from_url(own_redis.url)
    yield client
    await client.aclose()


async def test_redis_restart_mid_conversation_loses_nothing_across_two_instances(
    start_app: Callable[..., AppServer],
    own_redis: RedisServer,
    redis_client: Redis,
    crew: Crew,
    new_account: Callable[..., Awaitable[Account]],
) -> None:
    # given two instances sharing PostgreSQL and this test's Redis
    first, second = start_app(REDIS_URL=own_redis.url), start_app(REDIS_URL=own_redis.url)
    joiner = crew.outsider
    # and room subscribers on both instances (two on the first, sharing its bus subscription)
    rooms: list[tuple[GraphQLWebSocket, str]] = []
    for account, server in ((crew.alice, first), (crew.leader, first), (crew.bob, second)):
        socket = await GraphQLWebSocket.connect(server.ws_url, token=account.token)
        rooms.append((socket, await socket.subscribe(ROOM_EVENTS, {"c": crew.id})))
        await next_of_type(socket, rooms[-1][1], "JOIN")  # its own JOIN: the stream is live
    # and the leader's notification stream open on both instances
    streams: list[tuple[GraphQLWebSocket, str]] = []
    for server in (first, second):
        socket = await GraphQLWebSocket.connect(server.ws_url, token=crew.leader.token)
        streams.append((socket, await socket.subscribe(NOTIFICATIONS)))
    await eventually(
        partial(_all_online, first, crew, {crew.alice.id, crew.leader.id, crew.bob.id}),
        10,
        "all three room subscribers online",
    )
    sockets = [socket for socket, _ in rooms + streams]
    try:
        # when the leader keeps talking through both instances
        talk = Conversation((first, second), crew.leader.token, crew.id)
        talking = asyncio.create_task(talk.run())
        await talk.reach(PER_PHASE, talking)

        # and redis-server stops mid-conversation
        await asyncio.to_thread(own_redis.stop)
        down_from, down_at = len(talk.acked), time.monotonic()

        # then both instances report not ready, sends keep succeeding, and a join succeeds
        for server in (first, second):
            await eventually(partial(_ready_is, server, 503), 10, f"{server.url}/ready 503")
        async with GraphQLClient(second.url, token=joiner.token) as graphql:
            joined = (await graphql.execute(JOIN_CHALLENGE, {"id": crew.id})).ok()
        assert joined["joinChallenge"]["role"] == "CHALLENGER"
        # and the new member opens the room during the outage (its JOIN cannot be published)
        opened = await GraphQLWebSocket.connect(second.ws_url, token=joiner.token)
        sockets.append(opened)
        opened_op = await opened.subscribe(ROOM_EVENTS, {"c": crew.id})
        await eventually(partial(_is_online, second, crew, joiner.id), 10, "the new member online")
        live_from = len(talk.acked)  # the stream is live: every later ack is owed to it
        await talk.reach(down_from + PER_PHASE, talking)
        # long enough for the bus's reconnect backoff to grow, as in a real restart
        await asyncio.sleep(max(0.0, OUTAGE_AT_LEAST - (time.monotonic() - down_at)))

        # when redis-server comes back on the same port (empty: no persistence)
        down_until = len(talk.acked)
        await asyncio.to_thread(own_redis.start)

        # then both instances are ready again and the conversation goes on
        for server in (first, second):
            await eventually(partial(_ready_is, server, 200), 15, f"{server.url}/ready 200")
        await talk.reach(len(talk.acked) + PER_PHASE, talking)
        talk.stopping.set()
        await asyncio.wait_for(talking, 10)
        assert down_until - down_from >= PER_PHASE  # acknowledged while Redis was down

        # then every subscriber got every acknowledged message exactly once, in order
        sent = [message["id"] for message in talk.acked]
        for socket, op in rooms:
            assert await messages_received(socket, op, len(sent)) == sent
        # and the stream opened during the outage got a gapless, duplicate-free tail of them
        tail = await messages_received(opened, opened_op, len(sent) - live_from)
        assert tail == sent[len(sent) - len(tail) :]
        assert len(tail) >= len(sent) - live_from
        # and the database holds them in that seq order
        stored = await Message.filter(room__challenge_id=crew.challenge.id).order_by("seq")
        assert [str(row.id) for row in stored] == sent
        assert [row.seq for row in stored] == list(range(stored[0].seq, stored[0].seq + len(sent)))

        # and the notification created during the outage reached both streams, once
        [row] = await Notification.filter(member_id=crew.leader.member.id, type=NotificationType.REGISTER)
        assert row.challenge_id == crew.challenge.id
        for socket, op in streams:
            notification = (await socket.next_data(op, 15))["notifications"]
            assert notification == {
                "id": str(row.id),
                "type": "REGISTER",
                "challengeId": crew.id,
                "content": row.content,
            }
            await socket.expect_nothing(op, 0.3)

        # when one more member opens the room on the second instance after the restart
        newcomer = await new_account()
        await add_member(crew.challenge, newcomer)
        late = await GraphQLWebSocket.connect(second.ws_url, token=newcomer.token)
        sockets.append(late)
        await late.subscribe(ROOM_EVENTS, {"c": crew.id})

        # then the first instance's subscribers see the JOIN: presence is shared again
        alice, alice_op = rooms[0]
        seen = await next_of_type(alice, alice_op, "JOIN")
        assert seen["member"]["id"] == newcomer.id
        everyone = {crew.alice.id, crew.leader.id, crew.bob.id, joiner.id, newcomer.id}
        for server in (first, second):
            await eventually(partial(_all_online, server, crew, everyone), 10, f"presence on {server.url}")
    finally:
        for socket in sockets:
            await socket.close()

    # then nothing leaks: no running subscription on either instance, no Redis subscription
    for server in (first, second):
        await eventually(partial(_no_subscriptions, server), 10, f"{server.url} subscriptions at 0")
    channels = [room_channel(crew.challenge.id)] + [
        member_channel(account.member.id) for account in (crew.alice, crew.leader, crew.bob, joiner, newcomer)
    ]
    for channel in channels:
        await eventually(partial(_numsub_is_zero, redis_client, channel), 10, f"NUMSUB {channel} at 0")


async def _ready_is(server: AppServer, status: int) -> bool:
    return await ready_status(server) == status


async def _all_online(server: AppServer, crew: Crew, members: set[str]) -> bool:
    return await online(server, crew.leader.token, crew.id) == members


async def _is_online(server: AppServer, crew: Crew, member_id: str) -> bool:
    return member_id in await online(server, crew.leader.token, crew.id)


async def _no_subscriptions(server: AppServer) -> bool:
    return await active_subscriptions(server) == 0


async def _numsub_is_zero(redis: Redis, channel: str) -> bool:
    return await numsub(redis, channel) == 0

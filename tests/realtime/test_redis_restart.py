"""Real-time survives a Redis restart across two app instances on PostgreSQL + Redis.

redis-server is stopped mid-conversation and started again on the same port: every
acknowledged message still reaches every connected subscriber exactly once, in seq order;
a notification created during the outage arrives; ``/ready`` follows Redis; presence is
shared again afterwards; and closing every socket leaves no subscription behind.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial

from redis.asyncio import Redis

from events.channels import member_channel, room_channel
from models.chat import Message
from models.notifications import Notification, NotificationType
from tests.conftest import postgres_only
from tests.realtime.conftest import Crew
from tests.realtime.probes import (
    Conversation,
    all_online,
    eventually,
    is_online,
    messages_received,
    next_of_type,
    no_subscriptions,
    numsub_is_zero,
    ready_is,
)
from tests.support.factories import Account, add_member
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer, RedisServer
from tests.support.ws import GraphQLWebSocket

pytestmark = postgres_only

ROOM_EVENTS = """
subscription R($c: ID!) {
  roomEvents(challengeId: $c) { type cursor message { id body } member { id } onlineMembers { id } }
}
"""
NOTIFICATIONS = "subscription N { notifications { id type challengeId content } }"
JOIN_CHALLENGE = "mutation J($id: ID!) { joinChallenge(id: $id) { role } }"

# Messages acknowledged before the outage, during it, and after Redis is back.
PER_PHASE = 8
OUTAGE_AT_LEAST = 2.0  # seconds


@dataclass
class Scene:
    """Two instances on one Redis, with room and notification streams open on both."""

    first: AppServer
    second: AppServer
    crew: Crew
    rooms: list[tuple[GraphQLWebSocket, str]] = field(default_factory=list)
    streams: list[tuple[GraphQLWebSocket, str]] = field(default_factory=list)
    sockets: list[GraphQLWebSocket] = field(default_factory=list)

    async def open_streams(self) -> None:
        crew = self.crew
        # room subscribers on both instances (two on the first, sharing its bus subscription)
        for account, server in ((crew.alice, self.first), (crew.leader, self.first), (crew.bob, self.second)):
            socket = await GraphQLWebSocket.connect(server.ws_url, token=account.token)
            self.rooms.append((socket, await socket.subscribe(ROOM_EVENTS, {"c": crew.id})))
            await next_of_type(socket, self.rooms[-1][1], "JOIN")  # its own JOIN: the stream is live
        # and the leader's notification stream open on both instances
        for server in (self.first, self.second):
            socket = await GraphQLWebSocket.connect(server.ws_url, token=crew.leader.token)
            self.streams.append((socket, await socket.subscribe(NOTIFICATIONS)))
        await eventually(
            partial(all_online, self.first, crew, {crew.alice.id, crew.leader.id, crew.bob.id}),
            10,
            "all three room subscribers online",
        )
        self.sockets = [socket for socket, _ in self.rooms + self.streams]


async def _outage(
    scene: Scene, own_redis: RedisServer, talk: Conversation, talking: asyncio.Task[None]
) -> tuple[GraphQLWebSocket, str, int]:
    """Redis stops mid-conversation, a member joins and opens the room, Redis comes back.
    Returns the stream opened during the outage and how many acks preceded its going live."""
    crew, joiner = scene.crew, scene.crew.outsider
    await talk.reach(PER_PHASE, talking)

    # when redis-server stops mid-conversation
    await asyncio.to_thread(own_redis.stop)
    down_from, down_at = len(talk.acked), time.monotonic()

    # then both instances report not ready, sends keep succeeding, and a join succeeds
    for server in (scene.first, scene.second):
        await eventually(partial(ready_is, server, 503), 10, f"{server.url}/ready 503")
    async with GraphQLClient(scene.second.url, token=joiner.token) as graphql:
        joined = (await graphql.execute(JOIN_CHALLENGE, {"id": crew.id})).ok()
    assert joined["joinChallenge"]["role"] == "CHALLENGER"
    # and the new member opens the room during the outage (its JOIN cannot be published)
    opened = await GraphQLWebSocket.connect(scene.second.ws_url, token=joiner.token)
    scene.sockets.append(opened)
    opened_op = await opened.subscribe(ROOM_EVENTS, {"c": crew.id})
    await eventually(partial(is_online, scene.second, crew, joiner.id), 10, "the new member online")
    live_from = len(talk.acked)  # the stream is live: every later ack is owed to it
    await talk.reach(down_from + PER_PHASE, talking)
    # long enough for the bus's reconnect backoff to grow, as in a real restart
    await asyncio.sleep(max(0.0, OUTAGE_AT_LEAST - (time.monotonic() - down_at)))

    # when redis-server comes back on the same port (empty: no persistence)
    down_until = len(talk.acked)
    await asyncio.to_thread(own_redis.start)

    # then both instances are ready again and the conversation goes on
    for server in (scene.first, scene.second):
        await eventually(partial(ready_is, server, 200), 15, f"{server.url}/ready 200")
    await talk.reach(len(talk.acked) + PER_PHASE, talking)
    talk.stopping.set()
    await asyncio.wait_for(talking, 10)
    assert down_until - down_from >= PER_PHASE  # acknowledged while Redis was down
    return opened, opened_op, live_from


async def _every_message_once(
    scene: Scene, talk: Conversation, opened: tuple[GraphQLWebSocket, str, int]
) -> None:
    # then every subscriber got every acknowledged message exactly once, in order
    sent = [message["id"] for message in talk.acked]
    for socket, op in scene.rooms:
        assert await messages_received(socket, op, len(sent)) == sent
    # and the stream opened during the outage got a gapless, duplicate-free tail of them
    opened_socket, opened_op, live_from = opened
    tail = await messages_received(opened_socket, opened_op, len(sent) - live_from)
    assert tail == sent[len(sent) - len(tail) :]
    assert len(tail) >= len(sent) - live_from
    # and the database holds them in that seq order
    stored = await Message.filter(room__challenge_id=scene.crew.challenge.id).order_by("seq")
    assert [str(row.id) for row in stored] == sent
    assert [row.seq for row in stored] == list(range(stored[0].seq, stored[0].seq + len(sent)))


async def _outage_notification_once(scene: Scene) -> None:
    # and the notification created during the outage reached both streams, once
    crew = scene.crew
    [row] = await Notification.filter(member_id=crew.leader.member.id, type=NotificationType.REGISTER)
    assert row.challenge_id == crew.challenge.id
    for socket, op in scene.streams:
        notification = (await socket.next_data(op, 15))["notifications"]
        assert notification == {
            "id": str(row.id),
            "type": "REGISTER",
            "challengeId": crew.id,
            "content": row.content,
        }
        await socket.expect_nothing(op, 0.3)


async def _presence_shared_again(scene: Scene, newcomer: Account) -> None:
    # when one more member opens the room on the second instance after the restart
    crew = scene.crew
    await add_member(crew.challenge, newcomer)
    late = await GraphQLWebSocket.connect(scene.second.ws_url, token=newcomer.token)
    scene.sockets.append(late)
    await late.subscribe(ROOM_EVENTS, {"c": crew.id})

    # then the first instance's subscribers see the JOIN: presence is shared again
    alice, alice_op = scene.rooms[0]
    seen = await next_of_type(alice, alice_op, "JOIN")
    assert seen["member"]["id"] == newcomer.id
    everyone = {crew.alice.id, crew.leader.id, crew.bob.id, crew.outsider.id, newcomer.id}
    for server in (scene.first, scene.second):
        await eventually(partial(all_online, server, crew, everyone), 10, f"presence on {server.url}")


async def test_redis_restart_mid_conversation_loses_nothing_across_two_instances(
    start_app: Callable[..., AppServer],
    own_redis: RedisServer,
    redis_client: Redis,
    crew: Crew,
    new_account: Callable[..., Awaitable[Account]],
) -> None:
    # given two instances sharing PostgreSQL and this test's Redis, with streams open on both
    scene = Scene(start_app(REDIS_URL=own_redis.url), start_app(REDIS_URL=own_redis.url), crew)
    await scene.open_streams()
    newcomer = await new_account()
    try:
        # when the leader keeps talking through both instances while Redis restarts
        talk = Conversation((scene.first, scene.second), crew.leader.token, crew.id)
        talking = asyncio.create_task(talk.run())
        opened = await _outage(scene, own_redis, talk, talking)

        await _every_message_once(scene, talk, opened)
        await _outage_notification_once(scene)
        await _presence_shared_again(scene, newcomer)
    finally:
        for socket in scene.sockets:
            await socket.close()

    # then nothing leaks: no running subscription on either instance, no Redis subscription
    for server in (scene.first, scene.second):
        await eventually(partial(no_subscriptions, server), 10, f"{server.url} subscriptions at 0")
    channels = [room_channel(crew.challenge.id)] + [
        member_channel(account.member.id)
        for account in (crew.alice, crew.leader, crew.bob, crew.outsider, newcomer)
    ]
    for channel in channels:
        await eventually(partial(numsub_is_zero, redis_client, channel), 10, f"NUMSUB {channel} at 0")

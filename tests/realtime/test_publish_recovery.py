"""A failed publish is never the end of the story: with Redis holding every write
(``CLIENT PAUSE ... WRITE``), mutations answer at once and what they stored still reaches
every connected subscriber, without another event to reveal the gap."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

from models.notifications import Notification, NotificationType
from tests.conftest import postgres_only
from tests.realtime.conftest import SEND_MESSAGE, Crew, pause_writes
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer, RedisServer
from tests.support.ws import GraphQLWebSocket

pytestmark = postgres_only

ROOM_EVENTS = "subscription R($c: ID!) { roomEvents(challengeId: $c) { type message { id body } } }"
NOTIFICATIONS = "subscription N { notifications { id type challengeId } }"
JOIN_CHALLENGE = "mutation J($id: ID!) { joinChallenge(id: $id) { role } }"
PAUSE = 8.0  # seconds Redis holds writes: longer than any publish waits
WITHIN = 5.0  # after Redis accepts writes again

OpenSocket = Callable[..., Awaitable[GraphQLWebSocket]]


async def test_send_message_while_redis_holds_writes_answers_without_waiting_for_it(
    start_app: Callable[..., AppServer], own_redis: RedisServer, redis_client: Redis, crew: Crew
) -> None:
    # given an instance whose Redis holds every write
    server = start_app(REDIS_URL=own_redis.url)
    async with GraphQLClient(server.url, token=crew.alice.token) as graphql:
        await graphql.execute(SEND_MESSAGE, {"challengeId": crew.id, "body": "warm-up"})
        await pause_writes(redis_client, PAUSE * 2)

        # when alice sends a message
        started = time.monotonic()
        sent = (await graphql.execute(SEND_MESSAGE, {"challengeId": crew.id, "body": "held"})).ok()
        latency = time.monotonic() - started

    # then the message is stored and acknowledged without waiting seconds for Redis (its rate
    # limit and its publish each give up after half a second)
    print(f"sendMessage latency with Redis writes paused: {latency:.3f}s")
    assert sent["sendMessage"]["body"] == "held"
    assert latency < 1.5


async def test_a_message_whose_publish_was_lost_reaches_subscribers_without_another_message(
    start_app: Callable[..., AppServer],
    own_redis: RedisServer,
    redis_client: Redis,
    crew: Crew,
    sockets: OpenSocket,
) -> None:
    # given bob's room stream on an instance whose Redis then holds every write
    server = start_app(REDIS_URL=own_redis.url)
    bob = await sockets(crew.bob, server=server)
    op = await bob.subscribe(ROOM_EVENTS, {"c": crew.id})
    assert (await bob.next_data(op))["roomEvents"]["type"] == "JOIN"
    await pause_writes(redis_client, PAUSE)
    paused_until = time.monotonic() + PAUSE

    # when alice sends one message, and nobody sends another
    async with GraphQLClient(server.url, token=crew.alice.token) as graphql:
        sent = (await graphql.execute(SEND_MESSAGE, {"challengeId": crew.id, "body": "only one"})).ok()
    acked_at = time.monotonic()

    # then bob receives it within 5 seconds of Redis accepting writes again
    event = (await bob.next_data(op, PAUSE + WITHIN + 2))["roomEvents"]
    print(f"lost message delivered {time.monotonic() - acked_at:.2f}s after its ack")
    assert event["message"] == {"id": sent["sendMessage"]["id"], "body": "only one"}
    assert time.monotonic() - paused_until <= WITHIN
    await bob.expect_nothing(op, 0.5)


async def test_a_notification_whose_publish_was_lost_reaches_the_stream_without_another(
    start_app: Callable[..., AppServer],
    own_redis: RedisServer,
    redis_client: Redis,
    crew: Crew,
    sockets: OpenSocket,
) -> None:
    # given the leader's notification stream on an instance whose Redis then holds every write
    server = start_app(REDIS_URL=own_redis.url)
    leader = await sockets(crew.leader, server=server)
    op = await leader.subscribe(NOTIFICATIONS)
    await asyncio.sleep(0.5)  # the stream is listening
    await pause_writes(redis_client, PAUSE)
    paused_until = time.monotonic() + PAUSE

    # when someone joins the challenge (a REGISTER notification for the leader)
    async with GraphQLClient(server.url, token=crew.outsider.token) as graphql:
        assert (await graphql.execute(JOIN_CHALLENGE, {"id": crew.id})).ok()

    # then the leader receives it within 5 seconds of Redis accepting writes again, once
    joined_at = time.monotonic()
    [row] = await Notification.filter(member_id=crew.leader.member.id, type=NotificationType.REGISTER)
    notification = (await leader.next_data(op, PAUSE + WITHIN + 2))["notifications"]
    print(f"lost notification delivered {time.monotonic() - joined_at:.2f}s after the join")
    assert notification == {"id": str(row.id), "type": "REGISTER", "challengeId": crew.id}
    assert time.monotonic() - paused_until <= WITHIN
    await leader.expect_nothing(op, 0.5)

"""Presence without ghosts: joins and leaves survive cancellation, stale JOIN/LEAVE events are
ignored (each carries the room's presence version), and what Redis forgets comes back at once."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncGenerator, Awaitable, Callable
from functools import partial
from typing import Any

from redis.asyncio import Redis

from events.channels import room_channel
from infra.connection_slots import ConnectionSlots
from resolvers.chat.mutations import send_message
from tests.conftest import postgres_only
from tests.realtime.conftest import Crew, Local, pause_writes
from tests.realtime.probes import eventually, is_online
from tests.support.servers import AppServer, RedisServer
from tests.support.ws import GraphQLWebSocket

ROOM_EVENTS = """
subscription R($c: ID!) { roomEvents(challengeId: $c) { type member { id } onlineMembers { id } } }
"""

OpenSocket = Callable[..., Awaitable[GraphQLWebSocket]]


async def next_event(stream: AsyncGenerator[Any, None]) -> dict[str, Any]:
    result = await asyncio.wait_for(anext(stream), 10)
    assert not result.errors, result.errors
    return result.data["roomEvents"]  # type: ignore[no-any-return]


def presence_event(crew: Crew, type: str, member: int, online: list[int], version: int) -> dict[str, Any]:
    return {
        "kind": "room_event",
        "type": type,
        "challenge_id": crew.challenge.id,
        "at": dt.datetime.now(dt.UTC).isoformat(),
        "online": online,
        "member_id": member,
        "presence_version": version,
    }


async def test_a_stale_join_is_not_delivered_after_a_newer_leave(local: Local, crew: Crew) -> None:
    # given bob's open stream
    stream = await local.subscribe(ROOM_EVENTS, {"c": crew.id}, crew.bob)
    joined = await next_event(stream)
    assert joined["type"] == "JOIN"
    alice, bob = crew.alice.member.id, crew.bob.member.id
    channel = room_channel(crew.challenge.id)

    # when alice's LEAVE arrives before her older JOIN (they crossed on the bus)
    base = 2**60  # newer than any version the store hands out (microseconds of its clock)
    await local.bus.publish(channel, presence_event(crew, "LEAVE", alice, [bob], base + 2))
    await local.bus.publish(channel, presence_event(crew, "JOIN", alice, [alice, bob], base + 1))
    viewer = local.context(crew.alice).viewer
    assert viewer is not None
    await send_message(services=local.services, viewer=viewer, challenge_id=crew.challenge.id, body="after")

    # then bob sees the LEAVE, not the stale JOIN, and later events keep the newer presence
    leave = await next_event(stream)
    assert (leave["type"], leave["member"]["id"]) == ("LEAVE", crew.alice.id)
    message = await next_event(stream)
    assert message["type"] == "MESSAGE"
    assert [member["id"] for member in message["onlineMembers"]] == [crew.bob.id]
    await stream.aclose()


@postgres_only
async def test_a_stream_cancelled_while_joining_leaves_no_ghost(
    start_app: Callable[..., AppServer],
    own_redis: RedisServer,
    redis_client: Redis,
    crew: Crew,
    sockets: OpenSocket,
    settings: Any,
) -> None:
    # given an instance whose Redis holds writes, so bob's stream stops inside its join
    server = start_app(REDIS_URL=own_redis.url)
    pause = 2.0
    bob = await sockets(crew.bob, server=server)
    await pause_writes(redis_client, pause)
    await bob.subscribe(ROOM_EVENTS, {"c": crew.id})
    await asyncio.sleep(0.5)

    # when bob's client goes away right then (the stream is cancelled mid-join)
    await bob.close()

    # then once Redis accepts writes again and entries have had time to expire, bob is offline
    ttl = settings.presence_ttl
    await asyncio.sleep(pause + ttl + ttl / 3 + 1)
    assert not await is_online(server, crew, crew.bob.id)


@postgres_only
async def test_presence_is_back_at_once_after_redis_restarts_empty(
    make_local: Callable[..., Awaitable[Local]], own_redis: RedisServer, crew: Crew
) -> None:
    redis = Redis.from_url(own_redis.url)
    # given alice online through an instance whose heartbeat is 10 s apart
    local = await make_local(redis_url=own_redis.url, presence_ttl=30)
    stream = await local.subscribe(ROOM_EVENTS, {"c": crew.id}, crew.alice)
    assert (await next_event(stream))["type"] == "JOIN"

    # when Redis restarts empty
    await asyncio.to_thread(own_redis.restart, 0.2)

    # then she is online again within 3 seconds, long before the next heartbeat
    async def back() -> bool:
        entries = await redis.zrange(f"eroom:presence:{crew.challenge.id}", 0, -1)
        return [int(entry.split(b":")[0]) for entry in entries] == [crew.alice.member.id]

    try:
        await eventually(back, 3, "alice back in Redis's presence")
    finally:
        await stream.aclose()
        await redis.aclose()


@postgres_only
async def test_the_connection_cap_holds_after_redis_forgets_the_connections(
    own_redis: RedisServer, redis_client: Redis
) -> None:
    # given a member at the cap of two open connections
    slots = ConnectionSlots(redis_client, 2, refresh_every=0.2)
    try:
        assert await slots.acquire(7) is not None
        assert await slots.acquire(7) is not None
        assert await slots.acquire(7) is None

        # when Redis loses every key
        await redis_client.flushall()

        # then after a refresh the two connections count again: a third is still refused
        await eventually(partial(_counted, redis_client, 2), 3, "both slots back in Redis")
        assert await slots.acquire(7) is None
    finally:
        await slots.close()


async def _counted(redis: Redis, expected: int) -> bool:
    return int(await redis.zcard("eroom:ws:7")) == expected

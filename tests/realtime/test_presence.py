"""Presence in Redis heals: entries lost from Redis come back with the next heartbeat."""

from __future__ import annotations

import asyncio

from tests.conftest import postgres_only
from tests.realtime.conftest import Crew, Local

pytestmark = postgres_only

ROOM_EVENTS = "subscription R($c: ID!) { roomEvents(challengeId: $c) { type } }"


async def test_presence_lost_from_redis_is_restored_by_the_heartbeat(local: Local, crew: Crew) -> None:
    # given alice online through this process
    stream = await local.subscribe(ROOM_EVENTS, {"c": crew.id}, crew.alice)
    assert (await asyncio.wait_for(anext(stream), 10)).data["roomEvents"]["type"] == "JOIN"
    presence, redis = local.services.presence, local.services.redis
    assert redis is not None
    assert await presence.online(crew.challenge.id) == [crew.alice.member.id]

    # when Redis loses the room's presence (a restart without persistence)
    await redis.delete(f"eroom:presence:{crew.challenge.id}")
    assert await presence.online(crew.challenge.id) == []

    # then within one heartbeat she is online again
    await asyncio.sleep(presence.ttl / 3 + 0.5)
    assert await presence.online(crew.challenge.id) == [crew.alice.member.id]
    await stream.aclose()
    assert await presence.online(crew.challenge.id) == []

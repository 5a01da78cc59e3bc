"""During a rolling deploy two releases share the bus: an event from "the next release" (a kind
this one does not know, or a known kind with more fields) is skipped or read without its new
fields, counted, and never ends a stream."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import Any

import httpx
import orjson
import pytest
from redis.asyncio import Redis

from events import codec
from events.channels import room_channel
from tests.conftest import postgres_only
from tests.realtime.conftest import Crew, Local, send
from tests.realtime.probes import next_of_type
from tests.support.servers import AppServer, RedisServer
from tests.support.ws import GraphQLWebSocket

ROOM_EVENTS = """
subscription R($c: ID!) { roomEvents(challengeId: $c) { type member { id } message { body } } }
"""
SKIPPED = re.compile(r'^eroom_bus_events_skipped_total\{reason="(\w+)"\} (\S+)$', re.MULTILINE)

OpenSocket = Callable[..., Awaitable[GraphQLWebSocket]]


def next_release_events(crew: Crew) -> list[dict[str, Any]]:
    """A kind this release does not know, then a JOIN with a field it does not know."""
    at = dt.datetime.now(dt.UTC).isoformat()
    return [
        {"kind": "reaction", "challenge_id": crew.challenge.id, "message_id": 1, "emoji": "👍", "at": at},
        {
            "kind": "room_event",
            "type": "JOIN",
            "challenge_id": crew.challenge.id,
            "at": at,
            "online": [crew.alice.member.id],
            "member_id": crew.alice.member.id,
            "status": "studying",
        },
    ]


async def next_event(stream: AsyncGenerator[Any, None]) -> dict[str, Any]:
    result = await asyncio.wait_for(anext(stream), 10)
    assert not result.errors, result.errors
    return result.data["roomEvents"]  # type: ignore[no-any-return]


async def test_events_of_the_next_release_are_skipped_counted_and_end_nothing(
    local: Local, crew: Crew
) -> None:
    # given two open streams of the room
    streams = []
    for account in (crew.alice, crew.bob):
        stream = await local.subscribe(ROOM_EVENTS, {"c": crew.id}, account)
        assert (await next_event(stream))["type"] == "JOIN"
        streams.append(stream)
    assert (await next_event(streams[0]))["member"]["id"] == crew.bob.id  # bob's JOIN
    before = dict(codec.skipped)

    # when the next release publishes an unknown kind and a JOIN with a new field
    for event in next_release_events(crew):
        await local.bus.publish(room_channel(crew.challenge.id), event)

    # then both streams carry on: the JOIN arrives without its new field, nothing ends
    for stream in streams:
        joined = await next_event(stream)
        assert (joined["type"], joined["member"]["id"]) == ("JOIN", crew.alice.id)
    assert local.bus.live_subscriptions == 2
    # and both were counted
    assert codec.skipped["unknown_kind"] == before.get("unknown_kind", 0) + 1
    assert codec.skipped["extra_fields"] == before.get("extra_fields", 0) + 1
    for stream in streams:
        await stream.aclose()


async def skipped_counts(server: AppServer) -> dict[str, float]:
    async with httpx.AsyncClient(timeout=5) as http:
        text = (await http.get(f"{server.url}/metrics")).text
    return {reason: float(count) for reason, count in SKIPPED.findall(text)}


@postgres_only
async def test_events_of_the_next_release_on_redis_end_no_websocket_stream(
    app: AppServer, redis: RedisServer, crew: Crew, sockets: OpenSocket
) -> None:
    # given alice's room stream over a WebSocket, on the instance reading the shared Redis
    alice = await sockets(crew.alice, server=app)
    op = await alice.subscribe(ROOM_EVENTS, {"c": crew.id})
    await next_of_type(alice, op, "JOIN")
    before = await skipped_counts(app)

    # when another release publishes its events on the room's channel
    publisher = Redis.from_url(redis.url)
    try:
        for event in next_release_events(crew):
            await publisher.publish(room_channel(crew.challenge.id), orjson.dumps(event))
    finally:
        await publisher.aclose()

    # then the stream goes on: the JOIN arrives, then a message sent afterwards
    assert (await next_of_type(alice, op, "JOIN"))["member"]["id"] == crew.alice.id
    await send(app, crew.bob, crew.id, "still here")
    assert (await next_of_type(alice, op, "MESSAGE"))["message"]["body"] == "still here"
    # and the instance counted what it skipped
    after = await skipped_counts(app)
    assert after["unknown_kind"] == before.get("unknown_kind", 0) + 1
    assert after["extra_fields"] == before.get("extra_fields", 0) + 1


def test_room_event_of_a_type_this_release_does_not_know_is_skipped_quietly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given a room event of a type a newer release adds
    event = {
        "kind": "room_event",
        "type": "POLL",
        "challenge_id": 1,
        "at": dt.datetime.now(dt.UTC).isoformat(),
    }
    before = codec.skipped["unknown_type"]

    # when it is decoded
    with caplog.at_level(logging.WARNING, logger="events.codec"):
        decoded = codec.decode(event)

    # then it is skipped and counted, without a warning per event
    assert decoded is None
    assert codec.skipped["unknown_type"] == before + 1
    assert not caplog.records

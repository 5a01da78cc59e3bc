"""Events that cross on the bus (concurrent senders publish in the order they finish) wait a
moment for their predecessors instead of sending every subscriber to the database; a gap the
database cannot fill does not hold the stream (subscriptions/room_inbox.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from tortoise import timezone

from events.channels import room_channel
from events.room import RoomEventType
from models.chat import Message
from resolvers.chat import queries
from subscriptions.executor import Sent
from subscriptions.room_events import Delivery
from subscriptions.room_inbox import REORDER_WINDOW
from tests.realtime.conftest import Crew, Local
from tests.realtime.room_streams import bodies, store_unpublished, stream_of
from tests.support.sql import counting_sql


async def test_events_that_cross_on_the_bus_are_delivered_in_order_without_reading_the_database(
    local: Local, crew: Crew
) -> None:
    # given: bob's stream, and two messages stored but not yet published
    stream = await stream_of(local, crew, lambda event, sent_later: Sent.NO)
    assert (await asyncio.wait_for(anext(stream), 5)).event.type is RoomEventType.JOIN
    taker: asyncio.Task[Any] = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.1)
    before = await queries.last_seq(challenge_id=crew.challenge.id)
    first, second = await store_unpublished(crew, "first"), await store_unpublished(crew, "second")
    events = await queries.replay(challenge_id=crew.challenge.id, after_seq=before)
    assert [event.seq for event in events] == [first, second]
    try:
        with counting_sql() as sql:
            # when: their publishes cross (the second one first), a moment apart
            await local.bus.publish(room_channel(crew.challenge.id), events[1])
            await asyncio.sleep(REORDER_WINDOW / 4)
            await local.bus.publish(room_channel(crew.challenge.id), events[0])
            # then: the stream delivers them in seq order, once each
            delivered = [await asyncio.wait_for(taker, 5), await asyncio.wait_for(anext(stream), 5)]
        assert bodies(delivered) == ["first", "second"]
        # and: it waited for the late one instead of replaying the room from the database
        assert not [statement for statement in sql.statements if '"message"' in statement]
    finally:
        await stream.aclose()


async def crossed_stream(local: Local, crew: Crew) -> tuple[AsyncGenerator[Delivery, None], int]:
    """Bob's stream past its JOIN, and the room's last seq then."""
    stream = await stream_of(local, crew, lambda event, sent_later: Sent.NO)
    assert (await asyncio.wait_for(anext(stream), 5)).event.type is RoomEventType.JOIN
    return stream, await queries.last_seq(challenge_id=crew.challenge.id)


async def test_a_gap_the_database_cannot_fill_does_not_hold_the_stream(local: Local, crew: Crew) -> None:
    # given: bob's stream, a message whose publish was lost and which was deleted since, then one
    # that is published (the replay leaves deleted messages out: the gap never fills)
    stream, before = await crossed_stream(local, crew)
    gone = await store_unpublished(crew, "gone")
    await Message.filter(room__challenge_id=crew.challenge.id, seq=gone).update(deleted_at=timezone.now())
    await store_unpublished(crew, "kept")
    [kept] = await queries.replay(challenge_id=crew.challenge.id, after_seq=before)
    try:
        with counting_sql() as sql:
            # when: the later one is published
            await local.bus.publish(room_channel(crew.challenge.id), kept)
            # then: it is delivered after one window, having read the database once
            delivered = await asyncio.wait_for(anext(stream), REORDER_WINDOW * 10)
            await asyncio.sleep(REORDER_WINDOW * 3)
        assert bodies([delivered]) == ["kept"]
        assert len([statement for statement in sql.statements if '"message"' in statement]) <= 2
    finally:
        await stream.aclose()


async def test_each_step_of_progress_gives_the_events_still_held_a_new_window(
    local: Local, crew: Crew
) -> None:
    # given: bob's stream and four stored messages whose publishes cross: 2 and 4 first
    stream, before = await crossed_stream(local, crew)
    for body in ("a", "b", "c", "d"):
        await store_unpublished(crew, body)
    a, b, c, d = await queries.replay(challenge_id=crew.challenge.id, after_seq=before)
    channel = room_channel(crew.challenge.id)
    try:
        with counting_sql() as sql:
            await local.bus.publish(channel, b)
            await local.bus.publish(channel, d)
            # when: 1 comes within the window, and 3 within a window after that (not the first)
            await asyncio.sleep(REORDER_WINDOW * 0.6)
            await local.bus.publish(channel, a)
            await asyncio.sleep(REORDER_WINDOW * 0.6)
            await local.bus.publish(channel, c)
            # then: all four arrive in order, and no message was read from the database
            delivered = [await asyncio.wait_for(anext(stream), 5) for _ in range(4)]
        assert bodies(delivered) == ["a", "b", "c", "d"]
        assert not [statement for statement in sql.statements if '"message"' in statement]
    finally:
        await stream.aclose()

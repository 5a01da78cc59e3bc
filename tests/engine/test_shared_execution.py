"""Shared execution through ``schema.subscribe()``: once per event per group, no leaks."""

from __future__ import annotations

import asyncio
import gc
import tracemalloc
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from infra.viewer import Viewer
from subscriptions.executor import SHARED_RESULTS
from tests.engine.fanout_app import CALLS, FanoutContext, publish, schema, subscribers

TICKS = "subscription Ticks($room: Int!) { ticks(room: $room) { seq author { id name } } }"
TICKS_WITH_EMAIL = "subscription Ticks($room: Int!) { ticks(room: $room) { seq author { id email } } }"
COUNTER = "subscription Counter($count: Int!) { counter(count: $count) { seq author { name } } }"


def context_for(viewer_id: int | None) -> FanoutContext:
    viewer = Viewer(id=viewer_id, token_id="t", expires_at=datetime.now(UTC)) if viewer_id else None
    return FanoutContext(viewer=viewer)


async def open_streams(query: str, room: int, viewers: list[int | None]) -> list[AsyncGenerator[Any, None]]:
    streams = []
    for viewer in viewers:
        stream = await schema.subscribe(
            query, variable_values={"room": room}, context_value=context_for(viewer)
        )
        assert not isinstance(stream, tuple) and hasattr(stream, "__anext__")
        streams.append(stream)
    return streams


room_counter = iter(range(1000, 2000))


async def run_event(
    streams: list[AsyncGenerator[Any, None]], room: int, seq: int, member: int = 1
) -> list[Any]:
    pending = [asyncio.ensure_future(anext(stream)) for stream in streams]
    while subscribers(room) < len(streams):  # noqa: ASYNC110 - generators register on first anext
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.01)
    assert publish(room, seq, member) == len(streams)
    return await asyncio.wait_for(asyncio.gather(*pending), 5)


async def close_all(streams: list[AsyncGenerator[Any, None]]) -> None:
    for stream in streams:
        await stream.aclose()


async def test_subscribe_many_alike_subscribers_executes_each_event_once() -> None:
    # given: 20 subscribers (different viewers) of one viewer-independent selection
    room = next(room_counter)
    streams = await open_streams(TICKS, room, [1, 2, 3, None] * 5)
    before, reused = CALLS["Tick.author"], SHARED_RESULTS.reused
    try:
        # when: three events are published
        results = [await run_event(streams, room, seq) for seq in range(3)]
    finally:
        await close_all(streams)
    # then: every subscriber got every event, identical
    for seq, batch in enumerate(results):
        assert all(result.errors is None for result in batch)
        assert all(
            result.data == {"ticks": {"seq": seq, "author": {"id": 1, "name": "member 1"}}}
            for result in batch
        )
        assert len({id(result.data) for result in batch}) == 1
    # and: the selection ran once per event, not once per subscriber
    assert CALLS["Tick.author"] - before == 3
    assert SHARED_RESULTS.reused - reused == 3 * 19
    assert subscribers(room) == 0


async def test_subscribe_viewer_dependent_selection_groups_per_viewer_and_never_leaks() -> None:
    # given: two subscribers for each of three viewers, selecting Member.email
    room = next(room_counter)
    viewers: list[int | None] = [1, 2, 3, 1, 2, 3]
    streams = await open_streams(TICKS_WITH_EMAIL, room, viewers)
    before = CALLS["Member.email"]
    try:
        # when: events authored by member 1 then member 2
        first = await run_event(streams, room, 1, member=1)
        second = await run_event(streams, room, 2, member=2)
    finally:
        await close_all(streams)
    # then: each viewer sees only their own address
    emails = {1: "one@example.com", 2: "two@example.com"}
    for viewer, result in zip(viewers, first, strict=True):
        assert result.data["ticks"]["author"] == {"id": 1, "email": emails[1] if viewer == 1 else None}
    for viewer, result in zip(viewers, second, strict=True):
        assert result.data["ticks"]["author"] == {"id": 2, "email": emails[2] if viewer == 2 else None}
    # and: executed once per viewer per event (3 viewers x 2 events), shared within a viewer
    assert CALLS["Member.email"] - before == 6
    assert first[0].data is first[3].data and first[0].data is not first[1].data


async def test_subscribe_thousands_of_events_keeps_memory_flat() -> None:
    # given: one subscription delivering 4,000 fresh events
    stream = await schema.subscribe(COUNTER, variable_values={"count": 4000}, context_value=context_for(1))
    assert hasattr(stream, "__anext__")
    seen = 0
    sizes: list[int] = []
    tracemalloc.start()
    try:
        async for result in stream:
            assert result.errors is None and result.data is not None
            assert result.data["counter"]["seq"] == seen
            seen += 1
            if seen in (1000, 4000):
                gc.collect()
                sizes.append(tracemalloc.get_traced_memory()[0])
    finally:
        tracemalloc.stop()
    # then: the 3,000 events after warm-up left (almost) nothing behind; the unpatched
    # graphql-core memo kept ~3 KB per event, i.e. ~9 MB here
    assert seen == 4000
    assert sizes[1] - sizes[0] < 300_000, sizes


async def test_per_event_executor_has_its_own_memo_and_loaders() -> None:
    # given: a subscription's executor
    from graphql import parse

    from subscriptions.executor import SubscriptionExecutor

    context = context_for(1)
    executor = SubscriptionExecutor.build(schema._schema, parse(COUNTER), None, context, {"count": 1})
    assert isinstance(executor, SubscriptionExecutor)
    # when: building the executors of two events
    first, second = executor.build_per_event_executor(object()), executor.build_per_event_executor(object())
    # then: no memo and no loaders are shared between events or with the subscription
    assert first._relevant_sub_fields is not executor._relevant_sub_fields
    assert first._relevant_sub_fields is not second._relevant_sub_fields
    assert first.context_value.loaders is not context.loaders
    assert first.context_value.loaders is not second.context_value.loaders
    assert first.context_value.viewer == context.viewer

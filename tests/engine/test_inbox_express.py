"""The inbox's express lane: what a waiting stream may take straight from the bus, and what it
must still take through its queue, in order (subscriptions/inbox.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from subscriptions.inbox import CATCH_UP, Inbox, Kind, QueueStats

SIGNAL = object()


def sort(event: object) -> Kind:
    if event is SIGNAL:
        return Kind.SIGNAL
    return Kind.DURABLE if isinstance(event, int) else Kind.LIVE


def inbox_with(express: Callable[[object], bool] | None, bound: int = 8) -> tuple[Inbox, QueueStats]:
    stats = QueueStats()
    inbox = Inbox(bound, sort, stats, member_id=1, challenge_id=1)
    inbox.express = express
    return inbox, stats


async def parked(inbox: Inbox) -> asyncio.Task[object]:
    """A consumer waiting in ``get`` (as a stream between events)."""
    taker = asyncio.ensure_future(inbox.get())
    await asyncio.sleep(0)
    assert not taker.done()
    return taker


async def test_a_waiting_stream_gets_an_event_through_express_without_queueing_it() -> None:
    # given: a stream waiting for its next event, whose express lane takes everything
    expressed: list[object] = []
    inbox, stats = inbox_with(lambda event: expressed.append(event) is None)
    taker = await parked(inbox)
    # when: two events arrive
    inbox.put_nowait(1)
    inbox.put_nowait("typing")
    # then: both went through express, nothing was queued and the stream was not woken
    assert expressed == [1, "typing"]
    assert stats.express == 2
    assert inbox.empty()
    await asyncio.sleep(0)
    assert not taker.done()
    taker.cancel()


async def test_a_busy_stream_gets_its_events_through_the_queue() -> None:
    # given: a stream that is not waiting (it is writing its previous event)
    expressed: list[object] = []
    inbox, stats = inbox_with(lambda event: expressed.append(event) is None)
    # when: an event arrives
    inbox.put_nowait(1)
    # then: it is queued, not expressed
    assert expressed == []
    assert stats.express == 0
    assert await inbox.get() == 1


async def test_signals_and_owed_catch_ups_are_never_expressed() -> None:
    expressed: list[object] = []
    inbox, _ = inbox_with(lambda event: expressed.append(event) is None)
    taker = await parked(inbox)
    # when: a signal arrives, then an event while the signal is still untaken
    inbox.put_nowait(SIGNAL)
    inbox.put_nowait(1)
    # then: the signal wakes the stream and the event waits in the queue behind it
    assert expressed == []
    assert await taker is SIGNAL
    assert await inbox.get() == 1
    # and: an owed catch-up keeps events out of the express lane too
    taker = await parked(inbox)
    inbox.owe_catch_up()
    inbox.put_nowait(2)
    assert expressed == []
    assert await taker is CATCH_UP


async def test_a_declined_or_failing_express_queues_the_event_in_order() -> None:
    # given: an express lane that declines 1 and raises on 4
    def express(event: object) -> bool:
        if event == 4:
            raise RuntimeError("socket gone")
        return event != 1

    inbox, stats = inbox_with(express)
    taker = await parked(inbox)
    # when: 1 (declined) arrives, then 2 and 3 while 1 waits in the queue
    for event in (1, 2, 3):
        inbox.put_nowait(event)
    # then: nothing left the lane (the stream was no longer waiting after 1); all are queued
    assert stats.express == 0
    assert [await taker, await inbox.get(), await inbox.get()] == [1, 2, 3]
    # when: the lane raises for the next event
    taker = await parked(inbox)
    inbox.put_nowait(4)  # the bus's delivery to other streams must not see the error
    # then: the event is queued for the stream instead
    assert await taker == 4
    assert stats.express == 0


async def test_a_held_inbox_gives_nothing_but_signals_until_released() -> None:
    # given: an express delivery that will finish later holds the inbox
    inbox, _ = inbox_with(lambda event: True)
    taker = await parked(inbox)
    inbox.hold()
    # when: events arrive meanwhile
    inbox.put_nowait(2)
    inbox.put_nowait(3)
    await asyncio.sleep(0)
    # then: the stream takes none of them (they go out after the held one)
    assert not taker.done()
    with pytest.raises(asyncio.QueueEmpty):
        inbox.get_nowait()
    # but: a signal still reaches it at once
    inbox.put_nowait(SIGNAL)
    assert await taker is SIGNAL
    # and: the held delivery failed, so its event is put back first, then the inbox released
    inbox.requeue(1)
    inbox.release()
    assert [await inbox.get(), await inbox.get(), await inbox.get()] == [1, 2, 3]

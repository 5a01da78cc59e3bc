"""The generator behind the ``notifications`` subscription: the viewer's own stream.

Rows are the source of truth: a bus event only says "something new for you", and the stream
reads every row after the last seq it sent. So replay, live delivery, publishes that cross
on the bus, a ``bus_reconnected`` marker and an overflowing inbox (:mod:`subscriptions.inbox`)
all go through one path, with no gap and no dup.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable
from contextlib import aclosing

from events.channels import member_channel
from events.member import BusReconnected, NotificationCreated
from infra.viewer import Viewer
from models.accounts import Member
from models.notifications import Notification
from subscriptions.bus import Bus
from subscriptions.inbox import CATCH_UP, TOO_SLOW, Inbox, Kind
from subscriptions.lifecycle import (
    StreamInterruptedError,
    ensure_unexpired,
    expiry_alarm,
    is_signal,
    next_event,
)

BATCH = 200


async def _after(member_id: int, after_seq: int) -> AsyncIterator[Notification]:
    while True:
        rows = await Notification.filter(member_id=member_id, seq__gt=after_seq).order_by("seq").limit(BATCH)
        for row in rows:
            yield row
        if len(rows) < BATCH:
            return
        after_seq = rows[-1].seq


def _sort(event: object) -> Kind:
    """What each event of the member's channel is to their notification stream (see Inbox)."""
    if isinstance(event, NotificationCreated):
        return Kind.DURABLE
    if isinstance(event, BusReconnected):
        return Kind.CATCH_UP
    if is_signal(event):
        return Kind.SIGNAL
    return Kind.IGNORE  # room streams' business


async def notification_stream(
    *,
    bus: Bus,
    viewer: Viewer,
    after_seq: int | None,
    bound: int,
    on_too_slow: Callable[[], None] | None = None,
) -> AsyncGenerator[Notification, None]:
    ensure_unexpired(viewer)
    inbox = Inbox(bound, _sort, bus.queues, member_id=viewer.id, on_too_slow=on_too_slow)
    bus.live_subscriptions += 1
    try:
        async with bus.listen(inbox, member_channel(viewer.id)), expiry_alarm(inbox, viewer):
            if after_seq is None:  # live only: start from what is stored now
                member = await Member.get_or_none(id=viewer.id)
                inbox.last = member.notification_seq if member else 0
            else:
                inbox.last = after_seq
                inbox.owe_catch_up()
            with bus.inboxes.holding(inbox):  # watched from here: ``last`` is set
                async with aclosing(_deliver(inbox, viewer)) as rows:
                    async for row in rows:
                        yield row
    finally:
        bus.live_subscriptions -= 1


async def _deliver(inbox: Inbox, viewer: Viewer) -> AsyncGenerator[Notification, None]:
    while True:
        event = await next_event(inbox, viewer)
        if isinstance(event, NotificationCreated):
            if event.seq <= inbox.last:
                continue
        elif event is TOO_SLOW:
            raise StreamInterruptedError(
                "This stream fell too far behind; resubscribe with your last cursor."
            )
        elif event is not CATCH_UP:
            continue
        async for row in _after(viewer.id, inbox.last):
            inbox.last = row.seq
            yield row

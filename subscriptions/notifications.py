"""The generator behind the ``notifications`` subscription: the viewer's own stream.

Rows are the source of truth: a bus event only says "something new for you", and the stream
reads every row after the last seq it sent. So replay, live delivery, publishes that cross
on the bus and a ``bus_reconnected`` marker all go through one path, with no gap and no dup.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator

from events.channels import member_channel
from events.member import BusReconnected, NotificationCreated
from infra.viewer import Viewer
from models.accounts import Member
from models.notifications import Notification
from subscriptions.bus import Bus
from subscriptions.lifecycle import ensure_unexpired, expiry_alarm, next_event

BATCH = 200


async def _after(member_id: int, after_seq: int) -> AsyncIterator[Notification]:
    while True:
        rows = await Notification.filter(member_id=member_id, seq__gt=after_seq).order_by("seq").limit(BATCH)
        for row in rows:
            yield row
        if len(rows) < BATCH:
            return
        after_seq = rows[-1].seq


async def notification_stream(
    *, bus: Bus, viewer: Viewer, after_seq: int | None
) -> AsyncGenerator[Notification, None]:
    ensure_unexpired(viewer)
    queue: asyncio.Queue[object] = asyncio.Queue()
    bus.live_subscriptions += 1
    try:
        async with bus.listen(queue, member_channel(viewer.id)), expiry_alarm(queue, viewer):
            if after_seq is None:  # live only: start from what is stored now
                member = await Member.get_or_none(id=viewer.id)
                last = member.notification_seq if member else 0
            else:
                last = after_seq
            async for row in _after(viewer.id, last):
                last = row.seq
                yield row
            while True:
                event = await next_event(queue, viewer)
                if isinstance(event, NotificationCreated) and event.member_id == viewer.id:
                    if event.seq <= last:
                        continue
                elif not isinstance(event, BusReconnected):
                    continue
                async for row in _after(viewer.id, last):
                    last = row.seq
                    yield row
    finally:
        bus.live_subscriptions -= 1

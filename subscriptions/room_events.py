"""The generator behind ``roomEvents``: replay from the database, then live, no gap, no dup.

The stream listens on the bus FIRST (events start buffering in its queue), then replays
the durable log after the cursor, then drains the queue skipping every seq already sent. A
durable event that arrives ahead of its predecessor (publishes from concurrent senders can
cross on the bus) or a ``bus_reconnected`` marker triggers a catch-up from the database, so
the client sees every MESSAGE/DELETE exactly once, in seq order.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncGenerator, AsyncIterator

from events.channels import member_channel, room_channel
from events.member import BusReconnected, MemberLeft, RoomClosed
from events.room import RoomEventPayload
from infra.errors import Forbidden, NotFound
from infra.services import Services
from infra.viewer import Viewer
from resolvers.chat import presence, queries
from subscriptions.bus import Bus
from subscriptions.lifecycle import ensure_unexpired, expiry_alarm, next_event


async def _catch_up(
    services: Services, challenge_id: int, after_seq: int, below: int | None = None
) -> AsyncIterator[RoomEventPayload]:
    """Durable events with ``after_seq < seq < below`` from the database, in order."""
    online = tuple(await services.presence.online(challenge_id))
    while True:
        batch = await queries.replay(challenge_id=challenge_id, after_seq=after_seq)
        if not batch:
            return
        for event in batch:
            seq = event.seq or 0
            if below is not None and seq >= below:
                return
            yield event.model_copy(update={"online": online})
            after_seq = seq


async def room_events(
    *, services: Services, bus: Bus, viewer: Viewer, challenge_id: int, after_seq: int | None
) -> AsyncGenerator[RoomEventPayload, None]:
    ensure_unexpired(viewer)
    await queries.require_member(viewer=viewer, challenge_id=challenge_id)
    connection = secrets.token_hex(8)
    queue: asyncio.Queue[object] = asyncio.Queue()
    joined = False
    bus.live_subscriptions += 1
    try:
        channels = (room_channel(challenge_id), member_channel(viewer.id))
        async with bus.listen(queue, *channels), expiry_alarm(queue, viewer):
            last = after_seq if after_seq is not None else await queries.last_seq(challenge_id=challenge_id)
            await presence.enter(
                services, challenge_id=challenge_id, member_id=viewer.id, connection=connection
            )
            joined = True
            if after_seq is not None:
                async for event in _catch_up(services, challenge_id, last):
                    last = max(last, event.seq or last)
                    yield event
            while True:
                item = await next_event(queue, viewer)
                if isinstance(item, RoomEventPayload) and item.challenge_id == challenge_id:
                    event = item
                    if event.seq is None:  # JOIN / LEAVE: live only
                        yield event
                        continue
                    if event.seq <= last:
                        continue  # already sent (replayed, or caught up)
                    if event.seq > last + 1:  # a predecessor is late or lost: the DB has it
                        async for missed in _catch_up(services, challenge_id, last, below=event.seq):
                            last = max(last, missed.seq or last)
                            yield missed
                    last = event.seq
                    yield event
                elif isinstance(item, BusReconnected):
                    async for missed in _catch_up(services, challenge_id, last):
                        last = max(last, missed.seq or last)
                        yield missed
                elif isinstance(item, MemberLeft) and item.member_id == viewer.id:
                    raise Forbidden("You are no longer a member of this challenge.")
                elif isinstance(item, RoomClosed) and item.challenge_id == challenge_id:
                    raise NotFound("This challenge was deleted.")
    finally:
        bus.live_subscriptions -= 1
        if joined:
            # Shielded: a cancelled subscription must still announce its LEAVE.
            await asyncio.shield(
                presence.leave(
                    services, challenge_id=challenge_id, member_id=viewer.id, connection=connection
                )
            )

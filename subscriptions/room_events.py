"""The generator behind ``roomEvents``: replay from the database, then live, no gap, no dup.

The stream listens on the bus FIRST (events start collecting in its inbox), then replays the
durable log after the cursor, then takes the inbox skipping every seq already sent. A durable
event that arrives ahead of its predecessor (publishes from concurrent senders can cross on the
bus), a ``bus_reconnected`` marker or an overflowing inbox (:mod:`subscriptions.inbox`) make it
catch up from the database, so the client sees every MESSAGE/DELETE exactly once, in seq order.

The right to read the room is a fact of the database, not only a MemberLeft or RoomClosed on the
bus (which can be lost): it is checked again once the stream listens (a leave between the first
check and the subscription would otherwise go unheard), before every catch-up, and by the
process's periodic watch (:mod:`subscriptions.watch`).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncGenerator, AsyncIterator, Callable

from events.channels import member_channel, room_channel
from events.member import BusReconnected, MemberLeft, RoomClosed, SessionEnded
from events.room import RoomEventPayload
from infra.errors import Forbidden, NotFound
from infra.services import Services
from infra.viewer import Viewer
from resolvers.chat import presence, queries
from subscriptions.bus import Bus, BusFailed
from subscriptions.inbox import CATCH_UP, TOO_SLOW, Inbox, Kind, Sorter
from subscriptions.lifecycle import StreamInterruptedError, next_event


def _sorter(member_id: int) -> Sorter:
    """What each bus event is to the room stream of ``member_id`` (see Inbox)."""

    def sort(event: object) -> Kind:
        if type(event) is RoomEventPayload:
            return Kind.LIVE if event.seq is None else Kind.DURABLE
        if isinstance(event, BusReconnected):
            return Kind.CATCH_UP
        if isinstance(event, MemberLeft):
            return Kind.SIGNAL if event.member_id == member_id else Kind.IGNORE
        if isinstance(event, RoomClosed | SessionEnded | BusFailed):
            return Kind.SIGNAL
        return Kind.IGNORE  # the member channel's notifications are another stream's

    return sort


async def _catch_up(
    services: Services, viewer: Viewer, inbox: Inbox, challenge_id: int, below: int | None = None
) -> AsyncIterator[RoomEventPayload]:
    """Durable events with ``inbox.last < seq < below`` from the database, in order, if the
    viewer may still read them."""
    await queries.still_member(viewer=viewer, challenge_id=challenge_id)
    online = tuple(await services.presence.online(challenge_id))
    while True:
        batch = await queries.replay(challenge_id=challenge_id, after_seq=inbox.last)
        if not batch:
            return
        for event in batch:
            seq = event.seq or 0
            if below is not None and seq >= below:
                return
            inbox.last = seq
            yield event.model_copy(update={"online": online})


def _ending(item: object) -> None:
    """Raise what ends the stream for a signal taken from its inbox."""
    if isinstance(item, MemberLeft):
        raise Forbidden("You are no longer a member of this challenge.")
    if isinstance(item, RoomClosed):
        raise NotFound("This challenge was deleted.")
    if item is TOO_SLOW:
        raise StreamInterruptedError("This stream fell too far behind; resubscribe with your last cursor.")


async def room_events(
    *,
    services: Services,
    bus: Bus,
    viewer: Viewer,
    challenge_id: int,
    after_seq: int | None,
    on_too_slow: Callable[[], None] | None = None,
) -> AsyncGenerator[RoomEventPayload, None]:
    await queries.require_member(viewer=viewer, challenge_id=challenge_id)
    connection = secrets.token_hex(8)
    inbox = Inbox(
        services.settings.ws_subscription_queue,
        _sorter(viewer.id),
        bus.queues,
        member_id=viewer.id,
        challenge_id=challenge_id,
        on_too_slow=on_too_slow,
    )
    joined = False
    bus.live_subscriptions += 1
    try:
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(
                bus.listen(inbox, room_channel(challenge_id), member_channel(viewer.id))
            )
            await queries.still_member(viewer=viewer, challenge_id=challenge_id)  # left while we subscribed?
            inbox.last = (
                after_seq if after_seq is not None else await queries.last_seq(challenge_id=challenge_id)
            )
            stack.enter_context(bus.inboxes.holding(inbox))  # watched from here: ``last`` is set
            await presence.enter(
                services, challenge_id=challenge_id, member_id=viewer.id, connection=connection
            )
            joined = True
            if after_seq is not None:
                inbox.owe_catch_up()
            while True:
                item = await next_event(inbox, viewer)
                if type(item) is RoomEventPayload:
                    if item.seq is None:  # JOIN / LEAVE: live only
                        yield item
                        continue
                    if item.seq <= inbox.last:
                        continue  # already sent (replayed, or caught up)
                    if item.seq > inbox.last + 1:  # a predecessor is late or lost: the DB has it
                        async for missed in _catch_up(services, viewer, inbox, challenge_id, below=item.seq):
                            yield missed
                    inbox.last = item.seq
                    yield item
                elif item is CATCH_UP:
                    async for missed in _catch_up(services, viewer, inbox, challenge_id):
                        yield missed
                else:
                    _ending(item)
    finally:
        bus.live_subscriptions -= 1
        if joined:
            # Shielded: a cancelled subscription must still announce its LEAVE.
            await asyncio.shield(
                presence.leave(
                    services, challenge_id=challenge_id, member_id=viewer.id, connection=connection
                )
            )

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

Presence: opening the stream counts the viewer online (JOIN), and its end uncounts them (LEAVE)
however it ends, a cancelled join included. A JOIN, LEAVE or STATUS older than the presence the
stream already delivered (they cross on the bus) is dropped, and any other event carrying older
presence (a durable one, a TYPING) is delivered with the newer one, so ``onlineMembers`` and
``presence`` never go back in time. A member's own TYPING is not sent back to them.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from typing import NamedTuple

from events.channels import member_channel, room_channel
from events.member import BusReconnected, MemberLeft, RoomClosed
from events.room import RoomEventPayload, RoomEventType, presence_fields, presence_of
from infra.errors import Forbidden, NotFound
from infra.presence import Presence
from infra.services import Services
from infra.viewer import Viewer
from resolvers.chat import presence, queries
from subscriptions.bus import Bus
from subscriptions.inbox import CATCH_UP, TOO_SLOW, Inbox, Kind, Sorter
from subscriptions.lifecycle import (
    StreamInterruptedError,
    ensure_unexpired,
    expiry_alarm,
    is_signal,
    next_event,
)


class Delivery(NamedTuple):
    """An event for the client, and whether it is the bus's own object, which every local
    stream of the room delivers as it is (so its execution can be shared), rather than one
    made for this stream (replayed, or given newer presence)."""

    event: RoomEventPayload
    live: bool


def _sorter(member_id: int) -> Sorter:
    """What each bus event is to the room stream of ``member_id`` (see Inbox)."""

    def sort(event: object) -> Kind:
        if type(event) is RoomEventPayload:
            return Kind.LIVE if event.seq is None else Kind.DURABLE
        if isinstance(event, BusReconnected):
            return Kind.CATCH_UP
        if isinstance(event, MemberLeft):
            return Kind.SIGNAL if event.member_id == member_id else Kind.IGNORE
        if isinstance(event, RoomClosed) or is_signal(event):
            return Kind.SIGNAL
        return Kind.IGNORE  # the member channel's notifications are another stream's

    return sort


def _ending(item: object) -> None:
    """Raise what ends the stream for a signal taken from its inbox."""
    if isinstance(item, MemberLeft):
        raise Forbidden("You are no longer a member of this challenge.")
    if isinstance(item, RoomClosed):
        raise NotFound("This challenge was deleted.")
    if item is TOO_SLOW:
        raise StreamInterruptedError("This stream fell too far behind; resubscribe with your last cursor.")


class _RoomStream:
    """One viewer's stream of one room: its inbox, its presence connection, the newest presence
    it delivered."""

    def __init__(self, services: Services, viewer: Viewer, challenge_id: int, inbox: Inbox) -> None:
        self.services = services
        self.viewer = viewer
        self.challenge_id = challenge_id
        self.inbox = inbox
        self.connection = secrets.token_hex(8)
        self.presence = Presence(0, ())

    async def open(self, stack: contextlib.AsyncExitStack, bus: Bus, after_seq: int | None) -> None:
        """Listen, check the right again, find the position, count the viewer online."""
        inbox, challenge_id = self.inbox, self.challenge_id
        await stack.enter_async_context(
            bus.listen(inbox, room_channel(challenge_id), member_channel(self.viewer.id))
        )
        await queries.still_member(viewer=self.viewer, challenge_id=challenge_id)  # left while we subscribed?
        inbox.last = after_seq if after_seq is not None else await queries.last_seq(challenge_id=challenge_id)
        stack.enter_context(bus.inboxes.holding(inbox))  # watched from here: ``last`` is set
        # Registered before the join starts: a join cancelled half-way is undone all the same.
        stack.push_async_callback(self._leave)
        await presence.enter(
            self.services, challenge_id=challenge_id, member_id=self.viewer.id, connection=self.connection
        )
        if after_seq is not None:
            inbox.owe_catch_up()

    async def _leave(self) -> None:
        # Shielded: a cancelled subscription must still announce its LEAVE.
        await asyncio.shield(
            presence.leave(
                self.services,
                challenge_id=self.challenge_id,
                member_id=self.viewer.id,
                connection=self.connection,
            )
        )

    def stale(self, event: RoomEventPayload) -> bool:
        """Whether ``event`` (a JOIN or LEAVE) is older than the presence already delivered;
        if not, its presence is the newest from now on."""
        version = event.presence_version
        if version is None:
            return False  # from a release without versions: cannot tell
        if version < self.presence.version:
            return True
        if version > self.presence.version:
            self.presence = presence_of(event)
            # Publishers here attach it to the room's next messages (another instance's change).
            self.services.recent_presence.note(self.challenge_id, self.presence)
        return False

    def live(self, event: RoomEventPayload) -> RoomEventPayload | None:
        """A live-only event as delivered, or None when it is stale or the viewer's own TYPING."""
        if event.type is RoomEventType.TYPING:
            return None if event.member_id == self.viewer.id else self.with_presence(event)
        return None if self.stale(event) else event

    def with_presence(self, event: RoomEventPayload) -> RoomEventPayload:
        """``event`` as delivered: with the newest presence if it carries an older one."""
        version = event.presence_version
        if version is None or version >= self.presence.version:
            if version is not None and version > self.presence.version:
                self.presence = presence_of(event)
            return event
        return event.model_copy(update=presence_fields(self.presence))

    async def catch_up(self, below: int | None = None) -> AsyncIterator[Delivery]:
        """Durable events with ``inbox.last < seq < below`` from the database, in order, if the
        viewer may still read them."""
        inbox, challenge_id = self.inbox, self.challenge_id
        await queries.still_member(viewer=self.viewer, challenge_id=challenge_id)
        now = await self.services.presence.snapshot(challenge_id)
        if now.version >= self.presence.version:
            self.presence = now
        update = presence_fields(self.presence)
        while True:
            batch = await queries.replay(challenge_id=challenge_id, after_seq=inbox.last)
            if not batch:
                return
            for event in batch:
                seq = event.seq or 0
                if below is not None and seq >= below:
                    return
                inbox.last = seq
                yield Delivery(event.model_copy(update=update), live=False)


async def room_events(
    *,
    services: Services,
    bus: Bus,
    viewer: Viewer,
    challenge_id: int,
    after_seq: int | None,
    on_too_slow: Callable[[], None] | None = None,
) -> AsyncGenerator[Delivery, None]:
    ensure_unexpired(viewer)
    await queries.require_member(viewer=viewer, challenge_id=challenge_id)
    inbox = Inbox(
        services.settings.ws_subscription_queue,
        _sorter(viewer.id),
        bus.queues,
        member_id=viewer.id,
        challenge_id=challenge_id,
        on_too_slow=on_too_slow,
    )
    stream = _RoomStream(services, viewer, challenge_id, inbox)
    bus.live_subscriptions += 1
    try:
        async with contextlib.AsyncExitStack() as stack:
            await stream.open(stack, bus, after_seq)
            await stack.enter_async_context(expiry_alarm(inbox, viewer))
            while True:
                item = await next_event(inbox, viewer)
                if type(item) is RoomEventPayload:
                    if item.seq is None:  # live only
                        if (delivered := stream.live(item)) is not None:
                            yield Delivery(delivered, live=delivered is item)
                        continue
                    if item.seq <= inbox.last:
                        continue  # already sent (replayed, or caught up)
                    if item.seq > inbox.last + 1:  # a predecessor is late or lost: the DB has it
                        async for missed in stream.catch_up(below=item.seq):
                            yield missed
                    inbox.last = item.seq
                    delivered = stream.with_presence(item)
                    yield Delivery(delivered, live=delivered is item)
                elif item is CATCH_UP:
                    async for missed in stream.catch_up():
                        yield missed
                else:
                    _ending(item)
    finally:
        bus.live_subscriptions -= 1

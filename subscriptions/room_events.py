"""The generator behind ``roomEvents``: replay from the database, then live, no gap, no dup.

The stream listens on the bus FIRST (events start collecting in its inbox), then replays the
durable log after the cursor, then takes the inbox skipping every seq already sent. A durable
event that arrives ahead of its predecessor (publishes from concurrent senders can cross on the
bus) is held a moment for it (:mod:`subscriptions.room_inbox`); a gap still open then, a
``bus_reconnected`` marker or an overflowing inbox (:mod:`subscriptions.inbox`) make it catch up
from the database, so the client sees every MESSAGE/DELETE exactly once, in seq order.

The right to read the room is a fact of the database, not only a MemberLeft or RoomClosed on the
bus (which can be lost): it is checked again once the stream listens (a leave between the first
check and the subscription would otherwise go unheard), before every catch-up, and by the
process's periodic watch (:mod:`subscriptions.watch`).

Presence: opening the stream counts the viewer online (JOIN), and its end uncounts them (LEAVE)
however it ends, a cancelled join included. A JOIN, LEAVE or STATUS older than the presence the
stream already delivered (they cross on the bus) is dropped, and any other event carrying older
presence (a durable one, a TYPING) is delivered with the newer one, so ``onlineMembers`` and
``presence`` never go back in time. A member's own TYPING is not sent back to them.

Express delivery: given a ``write`` (the transport's way to send one event to this subscriber
at once), a stream waiting with an empty inbox lets the bus hand it the next event directly
(:meth:`_RoomStream.express`) when the loop below would deliver that event unchanged: the next
seq, or a live event, carrying no older presence. Anything else (a gap, a catch-up, a presence to
substitute, a write the transport declines) goes through the inbox and the loop below.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterator
from functools import partial
from typing import NamedTuple

from events.channels import member_channel, room_channel
from events.room import RoomEventPayload, RoomEventType, presence_fields
from infra.presence import Presence
from infra.services import Services
from infra.viewer import Viewer
from resolvers.chat import presence, queries
from subscriptions.bus import Bus
from subscriptions.executor import Sent
from subscriptions.inbox import CATCH_UP, Inbox
from subscriptions.lifecycle import (
    ensure_unexpired,
    expiry_alarm,
    next_event,
)
from subscriptions.room_inbox import GAP_OPEN, Ahead, ending, presence_once, sorter

# Sends one live event (the bus's object) to the subscriber at once; what it could not send
# at once it reports to the callback it is given.
Write = Callable[[RoomEventPayload, Callable[[bool], None]], Sent]


class Delivery(NamedTuple):
    """An event for the client, and whether it is the bus's own object, which every local
    stream of the room delivers as it is (so its execution can be shared), rather than one
    made for this stream (replayed, or given newer presence)."""

    event: RoomEventPayload
    live: bool


class _RoomStream:
    """One viewer's stream of one room: its inbox, its presence connection, the newest presence
    it delivered."""

    def __init__(
        self,
        services: Services,
        viewer: Viewer,
        challenge_id: int,
        inbox: Inbox,
        write: Write | None = None,
    ) -> None:
        self.services = services
        self.viewer = viewer
        self.challenge_id = challenge_id
        self.inbox = inbox
        self.write = write
        self.connection = secrets.token_hex(8)
        self.presence = Presence(0, ())
        self.ahead = Ahead()

    async def next_item(self) -> object:
        """The inbox's next item; :data:`GAP_OPEN` once events held ahead waited their window."""
        if not self.ahead:
            return await next_event(self.inbox, self.viewer)
        try:
            async with asyncio.timeout_at(self.ahead.deadline):
                return await next_event(self.inbox, self.viewer)
        except TimeoutError:
            return GAP_OPEN

    def hold(self, item: RoomEventPayload) -> None:
        """Keep ``item`` until its predecessors come (through the loop: no express meanwhile);
        more than the inbox's bound held reads the database at once."""
        self.ahead.hold(item)
        self.inbox.express = None
        if len(self.ahead) > self.inbox.bound:
            self.ahead.expire()

    def in_order(self, item: RoomEventPayload | None) -> Iterator[Delivery]:
        """``item`` (the next seq, if any) and the held events that follow it, in order."""
        while item is not None and item.seq is not None:
            self.inbox.last = item.seq
            delivered = self.with_presence(item)
            yield Delivery(delivered, live=delivered is item)
            item = self.ahead.next_after(item.seq)
        if self.ahead:
            self.ahead.renew()  # progress: those still held get a full window again
        self.resume_express()

    def resume_express(self) -> None:
        self.inbox.express = self.express if self.write is not None and not self.ahead else None

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
            # The same event reaches every local stream of the room: its presence is read once.
            self.presence = presence_once(event)
            # Publishers here attach it to the room's next messages (another instance's change).
            self.services.recent_presence.note(self.challenge_id, self.presence)
        return False

    def live(self, event: RoomEventPayload) -> RoomEventPayload | None:
        """A live-only event as delivered, or None when it is stale or the viewer's own TYPING."""
        if event.type is RoomEventType.TYPING:
            return None if event.member_id == self.viewer.id else self.with_presence(event)
        return None if self.stale(event) else event

    def older(self, event: RoomEventPayload) -> bool:
        """Whether ``event`` carries a presence older than the one already delivered."""
        version = event.presence_version
        return version is not None and version < self.presence.version

    def express(self, item: object) -> bool:
        """Deliver ``item`` (the bus's own object) through ``write`` now, when the stream's loop
        would deliver it as it is; True when it is handled (written, or rightly dropped), False
        to leave it to the loop. Called by the inbox only while the loop waits for an event."""
        if type(item) is not RoomEventPayload or self.write is None:
            return False
        if item.seq is None:
            if item.type is RoomEventType.TYPING:
                if item.member_id == self.viewer.id:
                    return True
                if self.older(item):
                    return False
            elif self.stale(item):
                return True
        elif item.seq <= self.inbox.last:
            return True
        elif item.seq != self.inbox.last + 1 or self.older(item):
            return False
        sent = self.write(item, partial(self._sent_later, item))
        if sent is Sent.NO:
            return False
        if sent is Sent.LATER:
            self.inbox.hold()
        if item.seq is not None:
            self.inbox.last = item.seq
        self.with_presence(item)
        return True

    def _sent_later(self, item: RoomEventPayload, sent: bool) -> None:
        try:
            if not sent:  # back through the loop, first in line, as if it had been queued
                if item.seq is not None:
                    self.inbox.last = item.seq - 1
                self.inbox.requeue(item)
        finally:
            self.inbox.release()

    def with_presence(self, event: RoomEventPayload) -> RoomEventPayload:
        """``event`` as delivered: with the newest presence if it carries an older one."""
        version = event.presence_version
        if version is None or version >= self.presence.version:
            if version is not None and version > self.presence.version:
                self.presence = presence_once(event)
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
    write: Write | None = None,
) -> AsyncGenerator[Delivery, None]:
    ensure_unexpired(viewer)
    await queries.require_member(viewer=viewer, challenge_id=challenge_id)
    inbox = Inbox(
        services.settings.ws_subscription_queue,
        sorter(viewer.id),
        bus.queues,
        member_id=viewer.id,
        challenge_id=challenge_id,
        on_too_slow=on_too_slow,
    )
    stream = _RoomStream(services, viewer, challenge_id, inbox, write)
    bus.live_subscriptions += 1
    try:
        async with contextlib.AsyncExitStack() as stack:
            await stream.open(stack, bus, after_seq)
            await stack.enter_async_context(expiry_alarm(inbox, viewer))
            stream.resume_express()
            stack.callback(setattr, inbox, "express", None)
            while True:
                item = await stream.next_item()
                if type(item) is RoomEventPayload:
                    if item.seq is None:  # live only
                        if (delivered := stream.live(item)) is not None:
                            yield Delivery(delivered, live=delivered is item)
                    elif item.seq == inbox.last + 1:
                        for delivery in stream.in_order(item):
                            yield delivery
                    elif item.seq > inbox.last + 1:  # a predecessor is late (or lost)
                        stream.hold(item)
                elif item is CATCH_UP or item is GAP_OPEN:  # missed events: the database has them
                    below = stream.ahead.first() if item is GAP_OPEN else None
                    async for missed in stream.catch_up(below=below):
                        yield missed
                    if below is not None:  # what it does not replay below a published seq is gone
                        inbox.last = max(inbox.last, below - 1)
                    for delivery in stream.in_order(stream.ahead.next_after(inbox.last)):
                        yield delivery
                else:
                    ending(item)
    finally:
        bus.live_subscriptions -= 1

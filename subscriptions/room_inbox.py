"""How a room stream reads its inbox: what each bus event is to it, what ends it, the presence a
JOIN or LEAVE carries (read once per event), and the durable events that arrived ahead of their
predecessor.

Publishes of concurrent senders can cross on the bus (seq 7 published before seq 6). A stream
that reads the database at every crossing turns a busy room into a storm of replays, one per
subscriber per crossing, which in turn slows the senders and makes crossings likelier: such an
event is held in :class:`Ahead` for up to :data:`REORDER_WINDOW` while its predecessors arrive,
and only a gap still open then is filled from the database.
"""

from __future__ import annotations

import asyncio

from events.member import BusReconnected, MemberLeft, RoomClosed
from events.room import RoomEventPayload, presence_of
from infra.errors import Forbidden, NotFound
from infra.presence import Presence
from subscriptions.fanout import IdentityLRU
from subscriptions.inbox import TOO_SLOW, Kind, Sorter
from subscriptions.lifecycle import StreamInterruptedError, is_signal

# Seconds a durable event ahead of its predecessor waits for it before the database is read.
REORDER_WINDOW = 0.1


class GapOpen:
    """Taken instead of an event: what was held ahead waited its window; read the database."""


GAP_OPEN = GapOpen()


def sorter(member_id: int) -> Sorter:
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


def ending(item: object) -> None:
    """Raise what ends the stream for a signal taken from its inbox."""
    if isinstance(item, MemberLeft):
        raise Forbidden("You are no longer a member of this challenge.")
    if isinstance(item, RoomClosed):
        raise NotFound("This challenge was deleted.")
    if item is TOO_SLOW:
        raise StreamInterruptedError("This stream fell too far behind; resubscribe with your last cursor.")


# The presence of the newest JOIN/LEAVE events: each reaches every local stream of the room.
_PRESENCES: IdentityLRU[Presence] = IdentityLRU(64)


def presence_once(event: RoomEventPayload) -> Presence:
    """The presence ``event`` carries, read once however many local streams it reaches."""
    presence = _PRESENCES.get(None, event)
    if presence is None:
        presence = presence_of(event)
        _PRESENCES.put(None, event, presence)
    return presence


class Ahead:
    """Durable events held until their predecessors arrive, by seq, with the time the first of
    them stops waiting (the loop's clock)."""

    def __init__(self) -> None:
        self._events: dict[int, RoomEventPayload] = {}
        self.deadline = 0.0

    def __len__(self) -> int:
        return len(self._events)

    def hold(self, event: RoomEventPayload) -> None:
        assert event.seq is not None
        if not self._events:
            self.renew()
        self._events[event.seq] = event

    def renew(self) -> None:
        self.deadline = asyncio.get_running_loop().time() + REORDER_WINDOW

    def expire(self) -> None:
        self.deadline = 0.0

    def first(self) -> int:
        return min(self._events)

    def next_after(self, last: int) -> RoomEventPayload | None:
        """The held event that follows ``last``, taken out; held ones up to it are dropped."""
        found = self._events.pop(last + 1, None)
        if found is None:
            self.forget(last)
        return found

    def forget(self, last: int) -> None:
        """Drop what is at or below ``last`` (delivered another way, e.g. caught up)."""
        for seq in [seq for seq in self._events if seq <= last]:
            del self._events[seq]

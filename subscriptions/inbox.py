r"""A stream's inbox: what the bus hands one subscription, bounded by ``WS_SUBSCRIPTION_QUEUE``.

The bus puts every event of the stream's channels here (``put_nowait``: never blocks, never
raises); the stream takes them with ``get``. The stream's own sorter says what each event is:

- durable (a room's MESSAGE or DELETE, a notification): never lost. When the queue is full it is
  emptied and the stream owes a catch-up from the database (it takes :data:`CATCH_UP`); until
  it starts it, durable events are not queued, since the catch-up reads them;
- live-only (JOIN, LEAVE): dropped when the queue is full;
- a signal (a leave, a deletion, a logout, a dead bus): never queued behind events, never lost;
- a catch-up request (the bus reconnected): owed like an overflow's.

A stream that falls another full queue behind while it still owes a catch-up is too slow: its
inbox drops everything from then on, the stream takes :data:`TOO_SLOW` next, and
``on_too_slow`` runs at once (for a WebSocket: close it with 1013 so the client resumes by
cursor), since a consumer that stopped reading may never take anything again.

The express lane: while the stream waits for its next event with nothing queued, owed,
signalled or held, a durable or live event is first offered to ``express`` (set by the stream),
which may deliver it straight to the client from the bus's own delivery and say so; whatever it
declines is queued as above. A delivery that finishes later :meth:`~Inbox.hold`\ s the inbox: the
stream takes nothing but signals until it is released, so what is queued meanwhile goes out
after it (a failed one is :meth:`~Inbox.requeue`\ d first). So a stream that is in order and
keeping up costs no queue, task switch or generator step per event, and one that is not (busy,
catching up, told to end) gets every event through its queue, in order, as before.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum, auto


class Kind(Enum):
    DURABLE = auto()
    LIVE = auto()
    SIGNAL = auto()
    CATCH_UP = auto()
    IGNORE = auto()


class CatchUp:
    """Taken from an inbox: events may be missing, read the database after what you sent."""


class TooSlow:
    """Taken from an inbox: the stream fell too far behind and must end (the client resumes)."""


CATCH_UP = CatchUp()
TOO_SLOW = TooSlow()

Sorter = Callable[[object], Kind]
Express = Callable[[object], bool]

log = logging.getLogger(__name__)


@dataclass
class QueueStats:
    """What the inboxes of one process went through (exported as metrics)."""

    peak: int = 0  # the most events any inbox held
    overflows: int = 0  # full inboxes emptied for a catch-up from the database
    dropped: int = 0  # live-only events dropped for a full inbox
    too_slow: int = 0  # streams ended for falling too far behind
    express: int = 0  # events a waiting stream's express lane handled without queueing them


class Inbox:
    """One stream's bounded queue, with whom it belongs to for the periodic checks.

    ``member_id`` and ``challenge_id`` (None for a notification stream) say what the stream
    may read; ``last`` is the seq (room or notification) it last delivered, kept by the stream.
    """

    def __init__(
        self,
        bound: int,
        sort: Sorter,
        stats: QueueStats,
        *,
        member_id: int,
        challenge_id: int | None = None,
        on_too_slow: Callable[[], None] | None = None,
    ) -> None:
        self.bound = bound
        self.member_id = member_id
        self.challenge_id = challenge_id
        self.last = 0
        self._sort = sort
        self._stats = stats
        self._on_too_slow = on_too_slow
        self._events: deque[object] = deque()
        self._signals: deque[object] = deque()
        self._owed = False  # a catch-up the stream has not started yet
        self._missed = 0  # durable events not queued since it was owed
        self._closed = False
        self._waiter: asyncio.Future[None] | None = None
        # The stream's express lane (see the module's docstring); None: every event is queued.
        self.express: Express | None = None
        self._held = False  # an express delivery is still being written

    def __len__(self) -> int:
        return len(self._events)

    def put_nowait(self, event: object) -> None:
        if self._closed:
            return
        kind = self._sort(event)
        if (
            (kind is Kind.DURABLE or kind is Kind.LIVE)
            and self.express is not None
            and self._waiting()
            and self._expressed(event)
        ):
            return
        if kind is Kind.DURABLE:
            self._put_durable(event)
        elif kind is Kind.LIVE:
            if len(self._events) < self.bound:
                self._append(event)
            else:
                self._stats.dropped += 1
        elif kind is Kind.SIGNAL:
            if event not in self._signals:  # the periodic checks repeat theirs until taken
                self._signals.append(event)
                self._wake()
        elif kind is Kind.CATCH_UP:
            self.owe_catch_up()

    def owe_catch_up(self) -> None:
        """The stream must read the database after what it delivered, before its next event."""
        if not self._closed:
            self._owed = True
            self._wake()

    def _waiting(self) -> bool:
        """Whether the stream is parked in :meth:`get` with nothing to take: everything it took
        before has been handled, so an event delivered now comes after all of it."""
        waiter = self._waiter
        return waiter is not None and not waiter.done() and not self._held and self.empty()

    def _expressed(self, event: object) -> bool:
        assert self.express is not None
        try:
            handled = self.express(event)
        except Exception:  # the bus's delivery to every other stream must go on
            log.exception("express delivery failed; the event is queued instead")
            return False
        if handled:
            self._stats.express += 1
        return handled

    def hold(self) -> None:
        """An express delivery goes out later: take nothing but signals until :meth:`release`."""
        self._held = True

    def release(self) -> None:
        self._held = False
        if not self.empty():
            self._wake()

    def requeue(self, event: object) -> None:
        """Put back, first in line, an event an express delivery could not write after all."""
        if not self._closed:
            self._events.appendleft(event)
            self._wake()

    def empty(self) -> bool:
        return not (self._signals or self._owed or self._events)

    def _takeable(self) -> bool:
        return bool(self._signals) or not (self._held or self.empty())

    def get_nowait(self) -> object:
        if self._signals:
            return self._signals.popleft()
        if self._held:
            raise asyncio.QueueEmpty
        if self._owed:
            self._owed, self._missed = False, 0
            return CATCH_UP
        if self._events:
            return self._events.popleft()
        raise asyncio.QueueEmpty

    async def get(self) -> object:
        while not self._takeable():
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self.get_nowait()

    def _put_durable(self, event: object) -> None:
        if self._owed:
            self._missed += 1
            if self._missed > self.bound:
                self._too_slow()
        elif len(self._events) < self.bound:
            self._append(event)
        else:
            self._stats.overflows += 1
            self._events.clear()
            self.owe_catch_up()

    def _append(self, event: object) -> None:
        self._events.append(event)
        if len(self._events) > self._stats.peak:
            self._stats.peak = len(self._events)
        self._wake()

    def _too_slow(self) -> None:
        self._closed = True
        self._owed = False
        self._events.clear()
        self._signals.clear()
        self._signals.append(TOO_SLOW)
        self._stats.too_slow += 1
        self._wake()
        if self._on_too_slow is not None:
            self._on_too_slow()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)


class Inboxes:
    """The inboxes of every live stream of one process: what the periodic checks walk."""

    def __init__(self) -> None:
        self._all: set[Inbox] = set()

    @contextmanager
    def holding(self, inbox: Inbox) -> Iterator[Inbox]:
        self._all.add(inbox)
        try:
            yield inbox
        finally:
            self._all.discard(inbox)

    def __iter__(self) -> Iterator[Inbox]:
        return iter(list(self._all))

    def __len__(self) -> int:
        return len(self._all)

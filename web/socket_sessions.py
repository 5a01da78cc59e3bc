"""WebSockets bound to their access token and their login session.

A socket authenticated at ``connection_init`` lives no longer than its token and its session:
when the token expires or the session is revoked (logOut, changePassword, refresh-token reuse)
the server closes it with 4403. graphql-ws clients retry after 4403 ("might grant access after
retry") with fresh ``connectionParams`` and resume by cursor; 4401 they would treat as fatal.

Whichever comes first closes a socket:

- a timer at the token's expiry (one per socket, not one per event);
- a ``SessionEnded`` event on the member's channel, as soon as the bus delivers it;
- a sweep every ``SWEEP_SECONDS`` that asks the session store about the sessions of every open
  socket of this process in one round trip, so a lost event still closes the socket on every
  instance within about a second.

Every operation sent over the socket is checked as well (:meth:`SocketGuard.refusal`), so none
runs between a revocation and the close.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from typing import Any

from events.channels import member_channel
from events.member import SessionEnded
from infra.sessions import SessionStore
from infra.tokens import family_of
from infra.viewer import Viewer
from subscriptions.bus import Bus

log = logging.getLogger(__name__)

CLOSE_CODE = 4403
SWEEP_SECONDS = 1.0
EXPIRED = "Access token expired"
REVOKED = "Session revoked"

Close = Callable[[str], Coroutine[Any, Any, None]]


class SocketGuard:
    """Closes one socket (through ``close(reason)``) when its token or session ends."""

    def __init__(self, registry: SocketSessions, viewer: Viewer, close: Close) -> None:
        self.registry = registry
        self.viewer = viewer
        self.session = family_of(viewer)
        self._close = close
        self._ending: asyncio.Task[None] | None = None
        loop = asyncio.get_running_loop()
        remaining = viewer.expires_at.timestamp() - time.time()
        self._timer = loop.call_at(loop.time() + max(remaining, 0), self._expire)
        self._listener = asyncio.create_task(self._listen())

    async def refusal(self) -> str | None:
        """Why the socket may no longer run operations, or ``None``."""
        if self._ending is not None:
            return REVOKED
        if self.viewer.expires_at.timestamp() <= time.time():
            return EXPIRED
        if self.session is not None and await self.registry.store.is_revoked(self.session):
            return REVOKED
        return None

    def end(self, reason: str) -> asyncio.Task[None]:
        """Close the socket (once); the task that does it."""
        if self._ending is None:
            self._ending = asyncio.create_task(self._close(reason))
        return self._ending

    def _expire(self) -> None:
        self.end(EXPIRED)

    def stop(self) -> None:
        """The socket is gone: drop the timer, the listener and the registration."""
        self._timer.cancel()
        self._listener.cancel()
        self.registry.forget(self)

    async def _listen(self) -> None:
        queue: asyncio.Queue[object] = asyncio.Queue()
        try:
            async with self.registry.bus.listen(queue, member_channel(self.viewer.id)):
                while True:
                    event = await queue.get()
                    if isinstance(event, SessionEnded) and event.ends(self.viewer):
                        self.end(REVOKED)
                        return
        except Exception:
            log.exception("socket session listener failed; the sweep still covers it")


class SocketSessions:
    """The guards of this process's authenticated sockets, and the sweep over them."""

    def __init__(self, store: SessionStore, bus: Bus) -> None:
        self.store = store
        self.bus = bus
        self._guards: set[SocketGuard] = set()
        self._sweeper: asyncio.Task[None] | None = None

    def watch(self, viewer: Viewer, close: Close) -> SocketGuard:
        guard = SocketGuard(self, viewer, close)
        self._guards.add(guard)
        if self._sweeper is None or self._sweeper.done():
            self._sweeper = asyncio.create_task(self._sweep_forever())
        return guard

    def forget(self, guard: SocketGuard) -> None:
        self._guards.discard(guard)

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()

    async def _sweep_forever(self) -> None:
        while self._guards:
            await asyncio.sleep(SWEEP_SECONDS)
            sessions = {guard.session for guard in self._guards if guard.session is not None}
            if not sessions:
                continue
            try:
                revoked = await self.store.revoked_among(sessions, fresh=True)
            except Exception:
                log.exception("socket session sweep failed")  # the next sweep tries again
                continue
            for guard in list(self._guards):
                if guard.session in revoked:
                    guard.end(REVOKED)

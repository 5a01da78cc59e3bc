"""What ends a viewer's subscription whatever it streams: token expiry, a session ending, a dead bus.

Over a WebSocket the transport closes the whole socket when its token expires or its session
ends (:mod:`web.socket_sessions`); these checks make the streams end by themselves too, for
every other caller, at the cost of one timer per stream (not one per event).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from events.member import SessionEnded
from infra.errors import Unauthenticated
from infra.viewer import Viewer
from subscriptions.bus import BusFailed, Listener

EXPIRED_MESSAGE = "Your access token has expired."


class StreamInterruptedError(Exception):
    """The bus subscription behind a stream died; the client should resubscribe with a cursor."""


class _TokenExpired:
    """Put in a stream's queue when the viewer's access token expires."""


TOKEN_EXPIRED = _TokenExpired()


def is_signal(event: object) -> bool:
    """Whether ``event`` ends any stream it reaches: it is never queued behind events."""
    return event is TOKEN_EXPIRED or isinstance(event, SessionEnded | BusFailed)


def ensure_unexpired(viewer: Viewer) -> None:
    """``Unauthenticated`` when the token is already over: nothing may be replayed for it."""
    if viewer.expires_at.timestamp() <= time.time():
        raise Unauthenticated(EXPIRED_MESSAGE)


@asynccontextmanager
async def expiry_alarm(queue: Listener, viewer: Viewer) -> AsyncIterator[None]:
    """Queue :data:`TOKEN_EXPIRED` for the stream when the viewer's token expires."""
    ensure_unexpired(viewer)
    loop = asyncio.get_running_loop()
    remaining = viewer.expires_at.timestamp() - time.time()
    alarm = loop.call_at(loop.time() + remaining, queue.put_nowait, TOKEN_EXPIRED)
    try:
        yield
    finally:
        alarm.cancel()


async def next_event(queue: Listener, viewer: Viewer) -> object:
    """The next event for this stream; ``Unauthenticated`` once the access token expired (see
    :func:`expiry_alarm`) or the viewer's session ended (clients reconnect with a fresh token
    and resume from their cursor)."""
    event = await queue.get()
    if event is TOKEN_EXPIRED:
        raise Unauthenticated(EXPIRED_MESSAGE)
    if isinstance(event, SessionEnded) and event.ends(viewer):
        raise Unauthenticated("Your session has ended.")
    if isinstance(event, BusFailed):
        raise StreamInterruptedError("The live stream was interrupted; resubscribe with your last cursor.")
    return event

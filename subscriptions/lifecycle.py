"""What ends a viewer's subscription whatever it streams: token expiry, a session ending, a dead bus."""

from __future__ import annotations

import asyncio
import time

from events.member import SessionEnded
from infra.errors import Unauthenticated
from infra.viewer import Viewer
from subscriptions.bus import BusFailed, Listener


class StreamInterruptedError(Exception):
    """The bus subscription behind a stream died; the client should resubscribe with a cursor."""


async def next_event(queue: Listener, viewer: Viewer) -> object:
    """The next event for this stream; ``Unauthenticated`` once the access token expires
    (clients reconnect with a fresh token and resume from their cursor)."""
    remaining = viewer.expires_at.timestamp() - time.time()
    if remaining <= 0:
        raise Unauthenticated("Your access token has expired.")
    try:
        if not queue.empty():  # a burst: no timer to arm
            event = queue.get_nowait()
        else:
            # asyncio.timeout, not wait_for: wait_for wraps the get in a new task per event.
            async with asyncio.timeout(remaining):
                event = await queue.get()
    except TimeoutError:
        raise Unauthenticated("Your access token has expired.") from None
    if isinstance(event, SessionEnded) and event.ends(viewer):
        raise Unauthenticated("Your session has ended.")
    if isinstance(event, BusFailed):
        raise StreamInterruptedError("The live stream was interrupted; resubscribe with your last cursor.")
    return event

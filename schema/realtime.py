"""Root subscriptions: a challenge's room events and the viewer's notification stream.

Both need a viewer (anonymous WebSocket connections get UNAUTHENTICATED) and both resume from
a cursor with no gap and no duplicate; the generators live in ``subscriptions/``.

Over a WebSocket whose transport can write frames itself (:data:`NEXT_FRAMES`), a room stream
that keeps up gets its live events written by the bus's delivery (:func:`express_writer`): the
selection is executed once per group of alike subscriptions, as on the stream's own path, and
the result goes out only when it is complete and free of errors; anything else takes that path.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from contextvars import ContextVar
from typing import Protocol

import strawberry
from graphql import ExecutionResult
from starlette.websockets import WebSocket

from events.room import RoomEventPayload
from infra.ids import decode_int_cursor, parse_id
from schema.context import Info
from schema.marks import PER_VIEWER, SHAREABLE
from schema.permissions import IsAuthenticated
from schema.types.chat import parse_room_cursor
from schema.types.notifications import CURSOR_KIND as NOTIFICATION_CURSOR
from schema.types.notifications import Notification
from schema.types.room_event import RoomEvent
from subscriptions.executor import RUNNING_SUBSCRIPTION, Sent
from subscriptions.fanout import shared
from subscriptions.notifications import notification_stream
from subscriptions.room_events import Write, room_events

log = logging.getLogger(__name__)

# 1013 "try again later": graphql-ws clients reconnect after it (4401 and 4429 are fatal to them).
TOO_SLOW_CODE = 1013
TOO_SLOW_REASON = "Too far behind: resubscribe with your last cursor."
_closing: set[asyncio.Task[None]] = set()


class NextFrames(Protocol):
    """How a transport writes an operation's ``next`` frames itself (``web/frames.py``)."""

    def bind(self) -> NextFrames | None: ...

    def writable(self) -> bool: ...

    def write(self, data: object) -> None: ...


# Set by the WebSocket transport while it starts an operation; the operation's task inherits it.
NEXT_FRAMES: ContextVar[NextFrames | None] = ContextVar("eroom_next_frames", default=None)


def express_writer() -> Write | None:
    """How the room stream writes a live event to this subscriber at once, or None when the
    transport cannot (then every event takes the stream's own path)."""
    starting = NEXT_FRAMES.get()
    executor = RUNNING_SUBSCRIPTION.get()
    if starting is None or executor is None or (frames := starting.bind()) is None:
        return None

    def send(result: ExecutionResult | None) -> bool:
        if result is None or result.errors or result.data is None or not frames.writable():
            return False
        frames.write(result.data)
        return True

    def write(event: RoomEventPayload, sent_later: Callable[[bool], None]) -> Sent:
        return executor.deliver(shared(event, RoomEvent, RoomEvent.from_payload), send, sent_later)

    return write


def close_when_too_slow(info: Info) -> Callable[[], None] | None:
    """What a stream's inbox runs when it falls too far behind: close the WebSocket, so the
    client reconnects and resumes by cursor. Runs in the bus's delivery, so it only schedules:
    the close waits until the socket can be written (a client that stopped reading)."""
    socket = info.context.request
    if not isinstance(socket, WebSocket):
        return None

    async def close() -> None:
        try:
            await socket.close(code=TOO_SLOW_CODE, reason=TOO_SLOW_REASON)
        except Exception as error:  # already closed by the client or another stream
            log.info("too slow subscriber already gone: %s", error)

    def schedule() -> None:
        task = asyncio.get_running_loop().create_task(close())
        _closing.add(task)
        task.add_done_callback(_closing.discard)

    return schedule


@strawberry.type
class Subscription:
    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        metadata=SHAREABLE,  # a room's live events are the same for every member
        description=(
            "Replays every durable event after `after` (a Message or RoomEvent cursor), then streams "
            "live events; without `after` it streams live events only. Opening it makes the viewer "
            '"online" in the room (JOIN); closing it, LEAVE.'
        ),
    )
    async def room_events(
        self, info: Info, challenge_id: strawberry.ID, after: str | None = None
    ) -> AsyncGenerator[RoomEvent, None]:
        challenge_pk = parse_id(challenge_id, field="challengeId")
        after_seq = parse_room_cursor(after, challenge_id=challenge_pk, field="after") if after else None
        stream = room_events(
            services=info.context.services,
            bus=info.context.bus,
            viewer=info.context.require_viewer(),
            challenge_id=challenge_pk,
            after_seq=after_seq,
            on_too_slow=close_when_too_slow(info),
            write=express_writer(),
        )
        # aclosing: closing this subscription must run the stream's cleanup now, not at GC.
        async with aclosing(stream):
            async for event, live in stream:
                # A live event is one object handed to every local subscriber by the bus, so
                # the type built from it is shared too: the executor then runs the selection
                # once per group of alike subscriptions. Replayed events are per subscriber,
                # and kept out of the sharing caches.
                yield (
                    shared(event, RoomEvent, RoomEvent.from_payload)
                    if live
                    else (RoomEvent.from_payload(event))
                )

    @strawberry.subscription(
        permission_classes=[IsAuthenticated],
        metadata=PER_VIEWER,  # the viewer's own notifications
        description=(
            "Replays the viewer's notifications after `after` (oldest first), then streams new ones. "
            "Without `after` it streams new ones only."
        ),
    )
    async def notifications(self, info: Info, after: str | None = None) -> AsyncGenerator[Notification, None]:
        after_seq = decode_int_cursor(after, NOTIFICATION_CURSOR, field="after") if after else None
        stream = notification_stream(
            bus=info.context.bus,
            viewer=info.context.require_viewer(),
            after_seq=after_seq,
            bound=info.context.settings.ws_subscription_queue,
            on_too_slow=close_when_too_slow(info),
        )
        async with aclosing(stream):
            async for row in stream:
                yield Notification.from_model(row)

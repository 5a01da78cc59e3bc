"""Root subscriptions: a challenge's room events and the viewer's notification stream.

Both need a viewer (anonymous WebSocket connections get UNAUTHENTICATED) and both resume from
a cursor with no gap and no duplicate; the generators live in ``subscriptions/``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from contextlib import aclosing
from functools import partial

import strawberry

from infra.ids import decode_int_cursor, parse_id
from schema.context import Info
from schema.marks import PER_VIEWER, SHAREABLE
from schema.permissions import IsAuthenticated
from schema.types.chat import RoomEvent, parse_room_cursor
from schema.types.notifications import CURSOR_KIND as NOTIFICATION_CURSOR
from schema.types.notifications import Notification
from subscriptions.fanout import shared
from subscriptions.notifications import notification_stream
from subscriptions.room_events import room_events


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
        )
        # aclosing: closing this subscription must run the stream's cleanup now, not at GC.
        async with aclosing(stream):
            async for event in stream:
                # A live event is one object handed to every local subscriber by the bus, so
                # the type built from it is shared too: the executor then runs the selection
                # once per group of alike subscriptions. Replayed events are per subscriber.
                yield shared(event, RoomEvent, partial(RoomEvent.from_payload, event))

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
            bus=info.context.bus, viewer=info.context.require_viewer(), after_seq=after_seq
        )
        async with aclosing(stream):
            async for row in stream:
                yield Notification.from_model(row)

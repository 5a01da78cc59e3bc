"""A test-only schema and app on the subscription engine: rooms fed from asyncio queues.

``Subscription.ticks(room)`` yields, for each live tick of a room, the SAME shared object
to every subscriber (as the real room generators do), and counts how often each field
resolver runs, so tests can tell "executed once per event" from "once per subscriber".
Its fields declare their sharing like the real schema's (:mod:`schema.marks`).
``Query.loadersSeen`` keeps the loaders each execution saw, and the view the contexts it
made, so tests can tell which operations shared DataLoaders.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import strawberry
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from strawberry.asgi import GraphQL
from strawberry.types import Info

from infra.viewer import Viewer
from resolvers.loaders import Loaders
from schema.marks import PER_VIEWER, SHAREABLE
from subscriptions.executor import SubscriptionExecutor
from subscriptions.fanout import shared
from web.transport import TransportWSHandler

CALLS: Counter[str] = Counter()
FEEDS: dict[int, set[asyncio.Queue[dict[str, int]]]] = defaultdict(set)
EMAILS = {1: "one@example.com", 2: "two@example.com", 3: "three@example.com"}
SEEN_LOADERS: list[Loaders] = []
CONNECTION_CONTEXTS: list[FanoutContext] = []


@dataclass
class FanoutContext:
    viewer: Viewer | None = None
    loaders: Loaders = field(default_factory=Loaders)
    connection_params: dict[str, object] = field(default_factory=dict)


@strawberry.type
class Member:
    id: int

    @strawberry.field(metadata=SHAREABLE)
    def name(self) -> str:
        CALLS["Member.name"] += 1
        return f"member {self.id}"

    @strawberry.field(metadata=PER_VIEWER)
    def email(self, info: Info[FanoutContext, None]) -> str | None:
        # Viewer-dependent: only the member sees their own address.
        CALLS["Member.email"] += 1
        viewer = info.context.viewer
        return EMAILS[self.id] if viewer is not None and viewer.id == self.id else None


@strawberry.type
class Tick:
    seq: int
    member_id: strawberry.Private[int]

    @strawberry.field(metadata=SHAREABLE)
    def author(self) -> Member:
        CALLS["Tick.author"] += 1
        return Member(id=self.member_id)

    @strawberry.field(metadata=SHAREABLE)
    def fail(self) -> str:
        raise ValueError("boom")


@strawberry.type
class Query:
    @strawberry.field
    def ok(self) -> bool:
        return True

    @strawberry.field
    def loaders_seen(self, info: Info[FanoutContext, None]) -> int:
        """Where in SEEN_LOADERS this field's loaders are (kept, so no id() is ever reused)."""
        SEEN_LOADERS.append(info.context.loaders)
        return len(SEEN_LOADERS) - 1


@strawberry.type
class Subscription:
    @strawberry.subscription(metadata=SHAREABLE)
    async def ticks(self, room: int, limit: int | None = None) -> AsyncGenerator[Tick, None]:
        queue: asyncio.Queue[dict[str, int]] = asyncio.Queue()
        FEEDS[room].add(queue)
        try:
            sent = 0
            while limit is None or sent < limit:
                event = await queue.get()
                yield shared(event, "tick", lambda event: Tick(seq=event["seq"], member_id=event["member"]))
                sent += 1
        finally:
            FEEDS[room].discard(queue)

    @strawberry.subscription(metadata=SHAREABLE)
    async def counter(self, count: int) -> AsyncGenerator[Tick, None]:
        # A fresh object per event: nothing to share, as for a replayed event.
        for seq in range(count):
            yield Tick(seq=seq, member_id=1)


schema = strawberry.Schema(
    query=Query, subscription=Subscription, execution_context_class=SubscriptionExecutor
)


def publish(room: int, seq: int, member: int = 1) -> int:
    """Hand one event (one object) to every subscriber of the room; returns how many."""
    event = {"seq": seq, "member": member}
    for queue in FEEDS[room]:
        queue.put_nowait(event)
    return len(FEEDS[room])


def subscribers(room: int) -> int:
    return len(FEEDS[room])


class FanoutView(GraphQL[FanoutContext, None]):
    graphql_transport_ws_handler_class = TransportWSHandler

    async def get_context(self, request: object, response: object) -> FanoutContext:
        context = FanoutContext()
        CONNECTION_CONTEXTS.append(context)
        return context

    async def on_ws_connect(self, context: FanoutContext) -> None:
        viewer = context.connection_params.get("viewer")
        if isinstance(viewer, int):
            context.viewer = Viewer(id=viewer, token_id="test", expires_at=datetime.now(UTC))
        return None


app = Starlette(routes=[WebSocketRoute("/graphql", FanoutView(schema))])

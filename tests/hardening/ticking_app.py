"""The real app plus test-only subscriptions, served by the real uvicorn setup.

These subscriptions tick on their own, without members, rooms or a bus, so the WebSocket
limits, metrics and shutdown tests control exactly how long a stream lives and what it sends.
Run as ``python -m tests.hardening.ticking_app`` (the env configures it like ``main.py serve``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import strawberry
from starlette.applications import Starlette
from strawberry.tools import merge_types

from infra.metrics import Metrics
from infra.settings import Settings, get_settings
from main import serve
from schema import root
from web.app import create_app


@strawberry.type
class Node:
    depth: int

    @strawberry.field
    def child(self) -> Node:
        return Node(depth=self.depth + 1)


@strawberry.type
class TestSubscription:
    @strawberry.subscription
    async def ticks(self, interval: float = 0.05) -> AsyncGenerator[int, None]:
        count = 0
        while True:
            yield count
            count += 1
            await asyncio.sleep(interval)

    @strawberry.subscription
    async def nodes(self) -> AsyncGenerator[Node, None]:
        yield Node(depth=0)
        await asyncio.Event().wait()


def _schema(settings: Settings, metrics: Metrics) -> root.Schema:
    parts = (TestSubscription,) if root.Subscription is None else (root.Subscription, TestSubscription)
    return root.build_schema(settings, metrics, subscription=merge_types("Subscription", parts))


def create() -> Starlette:
    return create_app(schema_factory=_schema)


if __name__ == "__main__":
    serve(get_settings(), factory="tests.hardening.ticking_app:create")

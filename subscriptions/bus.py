"""The event bus: JSON events fanned out to every process through broadcaster."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from broadcaster import Broadcast

log = logging.getLogger(__name__)

Event = dict[str, Any]


class Bus:
    def __init__(self, url: str) -> None:
        self.url = url
        self._broadcast = Broadcast(url)

    async def connect(self) -> None:
        await self._broadcast.connect()

    async def disconnect(self) -> None:
        await self._broadcast.disconnect()

    async def publish(self, channel: str, event: Event) -> None:
        """Publish after commit; a failure is logged, never raised (the row is already stored)."""
        try:
            await self._broadcast.publish(channel, orjson.dumps(event).decode())
        except Exception:
            log.exception("bus publish failed", extra={"channel": channel})

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[AsyncIterator[Event]]:
        async with self._broadcast.subscribe(channel) as subscriber:

            async def events() -> AsyncIterator[Event]:
                async for message in subscriber:  # type: ignore[union-attr]
                    yield orjson.loads(message.message)

            yield events()

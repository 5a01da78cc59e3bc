"""One bus subscription per channel per process, shared by every local listener.

Each live event is decoded once (:func:`subscriptions.chat_events.decode_event`) and the SAME
Python object is handed to every listener's queue, so a shared-execution layer above can
recognise one event across subscribers, and a room with a thousand local subscribers costs
one Redis subscription, not a thousand.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from subscriptions.bus import Bus
from subscriptions.chat_events import BUS_FAILED, decode_event

log = logging.getLogger(__name__)

Listener = asyncio.Queue[object]


@dataclass
class _Channel:
    listeners: set[Listener] = field(default_factory=set)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None


class Hub:
    def __init__(self, bus: Bus) -> None:
        self.bus = bus
        self._channels: dict[str, _Channel] = {}
        # Subscription generators count themselves here; a test proves it returns to zero.
        self.live_subscriptions = 0

    @property
    def channel_count(self) -> int:
        return len(self._channels)

    @contextlib.asynccontextmanager
    async def listen(self, queue: Listener, *channels: str) -> AsyncIterator[Listener]:
        """Deliver every event of ``channels`` into ``queue`` while the block runs.

        Returns only once the bus subscription of each channel is in place, so anything
        published after entering is delivered (callers replay from the database after this).
        """
        joined: list[str] = []
        try:
            for name in channels:
                channel = self._channels.get(name)
                if channel is None:
                    channel = self._channels[name] = _Channel()
                    channel.task = asyncio.create_task(self._pump(name, channel))
                channel.listeners.add(queue)
                joined.append(name)
                await channel.ready.wait()
            yield queue
        finally:
            for name in joined:
                self._drop(name, queue)

    def _drop(self, name: str, queue: Listener) -> None:
        channel = self._channels.get(name)
        if channel is None or queue not in channel.listeners:
            return
        channel.listeners.discard(queue)
        if not channel.listeners:
            del self._channels[name]
            if channel.task is not None:
                channel.task.cancel()

    async def _pump(self, name: str, channel: _Channel) -> None:
        try:
            async with self.bus.subscribe(name) as events:
                channel.ready.set()
                async for payload in events:
                    event = decode_event(payload)
                    if event is None:
                        continue  # a kind from a newer release: not ours to deliver
                    for queue in list(channel.listeners):
                        queue.put_nowait(event)
        except asyncio.CancelledError:
            raise
        except Exception:
            # The subscription is gone; wake listeners so they fail loudly rather than hang.
            log.exception("bus subscription failed", extra={"channel": name})
            if self._channels.get(name) is channel:
                del self._channels[name]  # the next listener subscribes afresh
            channel.ready.set()
            for queue in list(channel.listeners):
                queue.put_nowait(BUS_FAILED)

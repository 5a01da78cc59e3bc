"""One task an instance runs beside its requests, started and stopped by the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib


class BackgroundTask:
    """Runs :meth:`run` as one named task from :meth:`start` until :meth:`stop` cancels it."""

    name = "background"

    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None

    def enabled(self) -> bool:
        """Whether this instance runs the task at all (e.g. only with Redis, or a set interval)."""
        return True

    async def run(self) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        if self._task is None and self.enabled():
            self._task = asyncio.create_task(self.run(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

"""The presence heartbeat: keeps this instance's entries alive and announces the members of
dead instances as gone (LEAVE) once their entries expire."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from redis.exceptions import RedisError

from events.room import RoomEventType
from infra.services import Services
from resolvers.chat.presence import announce

log = logging.getLogger(__name__)


class PresenceHeartbeat:
    def __init__(self, services: Services) -> None:
        self.services = services
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.services.redis is not None and self._task is None:
            self._task = asyncio.create_task(self._beat(), name="presence-heartbeat")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _beat(self) -> None:
        store = self.services.presence
        while True:
            await asyncio.sleep(store.heartbeat_interval)
            try:
                for challenge_id, member_id in await store.refresh():
                    await announce(
                        self.services, RoomEventType.LEAVE, challenge_id=challenge_id, member_id=member_id
                    )
            except (RedisError, OSError):
                log.warning("presence heartbeat failed; retrying")
            except Exception:
                log.exception("presence heartbeat crashed; retrying")

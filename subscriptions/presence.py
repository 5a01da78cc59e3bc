"""The presence heartbeat: keeps this instance's entries alive, restores them when Redis lost
them (at once after the bus reconnects, since a restarted Redis is an empty one), and announces
the members of dead instances as gone (LEAVE) once their entries expire."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from redis.exceptions import RedisError

from events.room import RoomEventType
from infra.services import Services
from resolvers.chat.presence import announce
from subscriptions.background import BackgroundTask
from subscriptions.bus import Bus

log = logging.getLogger(__name__)

RETRY_AFTER = 0.25  # seconds after a failed beat


class PresenceHeartbeat(BackgroundTask):
    name = "presence-heartbeat"

    def enabled(self) -> bool:
        return self.services.redis is not None

    def __init__(self, services: Services, bus: Bus) -> None:
        super().__init__()
        self.services = services
        self.bus = bus

    async def run(self) -> None:
        failed = False
        while True:
            await self._next_beat(RETRY_AFTER if failed else self.services.presence.heartbeat_interval)
            failed = False
            try:
                await self.beat()
            except (RedisError, OSError) as error:
                # Often the first command on a connection Redis closed while restarting.
                log.warning("presence heartbeat failed; retrying: %r", error)
                failed = True
            except Exception:
                log.exception("presence heartbeat crashed; retrying")

    async def _next_beat(self, interval: float) -> None:
        """``interval`` seconds, or less if the bus reconnects meanwhile."""
        reconnected = self.bus.reconnected
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(interval):
                await reconnected.wait()
        reconnected.clear()

    async def beat(self) -> None:
        """Renew (or restore) our entries, drop expired ones; announce who went and who is back."""
        for changed in await self.services.presence.refresh():
            for type, members in ((RoomEventType.LEAVE, changed.gone), (RoomEventType.JOIN, changed.back)):
                for member_id in members:
                    await announce(
                        self.services,
                        type,
                        challenge_id=changed.challenge_id,
                        member_id=member_id,
                        presence=changed.presence,
                    )

"""The long-lived services of one process, opened and closed by the app's lifespan."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from redis.asyncio import Redis

from infra import db
from infra.limits import Limiter
from infra.mail import Mailer, build_mailer
from infra.settings import Settings
from infra.storage import Storage
from subscriptions.bus import Bus
from subscriptions.hub import Hub
from subscriptions.presence import Presence

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    bus: Bus
    storage: Storage
    mailer: Mailer
    limiter: Limiter
    redis: Redis | None
    hub: Hub
    presence: Presence

    @classmethod
    def create(cls, settings: Settings) -> Services:
        # Short timeouts: limits and presence fall back or degrade when Redis hangs, instead
        # of holding the request (a frozen Redis otherwise stalls a sendMessage for seconds).
        redis = (
            Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
            if settings.redis_url
            else None
        )
        bus = Bus(settings.bus_url)
        return cls(
            settings=settings,
            bus=bus,
            storage=Storage(settings),
            mailer=build_mailer(settings),
            limiter=Limiter(redis),
            redis=redis,
            hub=Hub(bus),
            presence=Presence(bus, redis, settings.presence_ttl),
        )

    async def open(self) -> None:
        if self.settings.is_sqlite:
            await db.migrate(self.settings)  # the very first run works with nothing set up
        await db.open_database(self.settings)
        self.storage.open()
        await self.bus.connect()
        await self.presence.start()

    async def close(self) -> None:
        await self.presence.stop()
        await self.bus.disconnect()
        await db.close_database()
        if self.redis is not None:
            await self.redis.aclose()

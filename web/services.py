"""Wiring: every long-lived service of one process, opened and closed by the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis

from events.codec import loads
from infra import db
from infra.clock import Clock
from infra.limits import Limiter
from infra.mail import build_mailer
from infra.presence import PresenceStore
from infra.services import Services
from infra.sessions import SessionStore, revoked_seconds
from infra.settings import Settings
from infra.storage import Storage
from subscriptions.bus import Bus
from subscriptions.presence import PresenceHeartbeat


@dataclass
class Runtime:
    """The services the domain sees, plus the bus with its listening side for subscriptions."""

    services: Services
    bus: Bus
    heartbeat: PresenceHeartbeat

    @property
    def settings(self) -> Settings:
        return self.services.settings

    async def open(self) -> None:
        settings = self.settings
        if settings.is_sqlite:
            await db.migrate(settings)  # the very first run works with nothing set up
        await db.open_database(settings)
        self.services.storage.open()
        await self.bus.connect()
        await self.heartbeat.start()

    async def close(self) -> None:
        await self.heartbeat.stop()
        await self.bus.disconnect()
        await db.close_database()
        if self.services.redis is not None:
            await self.services.redis.aclose()


def build_runtime(settings: Settings) -> Runtime:
    # Short timeouts: limits and presence fall back or degrade when Redis hangs, instead of
    # holding the request (a frozen Redis otherwise stalls a sendMessage for seconds).
    redis = (
        Redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
        if settings.redis_url
        else None
    )
    bus = Bus(settings.bus_url, decode=loads)
    services = Services(
        settings=settings,
        clock=Clock(),
        storage=Storage(settings),
        mailer=build_mailer(settings),
        limiter=Limiter(redis),
        redis=redis,
        presence=PresenceStore(redis, settings.presence_ttl),
        sessions=SessionStore(redis, revoked_seconds=revoked_seconds(settings)),
        bus=bus,
    )
    return Runtime(services=services, bus=bus, heartbeat=PresenceHeartbeat(services))

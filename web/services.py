"""Wiring: every long-lived service of one process, opened and closed by the app's lifespan."""

from __future__ import annotations

from dataclasses import dataclass

from redis.asyncio import Redis
from tortoise import connections

from events.codec import loads
from infra import db
from infra.clock import Clock
from infra.limits import Limiter
from infra.mail import build_mailer
from infra.presence import PresenceStore
from infra.presence_reads import RecentPresence
from infra.services import Services
from infra.sessions import SessionStore, revoked_seconds
from infra.settings import Settings
from infra.storage import Storage
from subscriptions.bus import Bus
from subscriptions.presence import PresenceHeartbeat
from subscriptions.scheduler import Scheduler
from subscriptions.watch import StreamWatch


@dataclass
class Runtime:
    """The services the domain sees, plus the bus with its listening side for subscriptions."""

    services: Services
    bus: Bus
    heartbeat: PresenceHeartbeat
    watch: StreamWatch
    scheduler: Scheduler

    @property
    def settings(self) -> Settings:
        return self.services.settings

    async def open(self, *, background: bool = True) -> None:
        """Open every service; ``background`` also starts the periodic jobs (a server's, not a
        one-off command's)."""
        settings = self.settings
        if settings.is_sqlite:
            await db.migrate(settings)  # the very first run works with nothing set up
        await db.open_database(settings)
        self.services.storage.open()
        await self.start_live(background=background)

    async def close(self) -> None:
        await self.stop_live()
        await db.close_database()
        if self.services.redis is not None:
            await self.services.redis.aclose()

    async def start_live(self, *, background: bool = True) -> None:
        """The bus and, with ``background``, the tasks that keep streams and presence true and
        the scheduler (the database is open)."""
        await self.bus.connect()
        if background:
            await self.heartbeat.start()
            await self.watch.start()
            await self.scheduler.start()

    async def stop_live(self) -> None:
        await self.scheduler.stop()
        await self.watch.stop()
        await self.heartbeat.stop()
        await self.bus.disconnect()


def build_clock(settings: Settings) -> Clock:
    return Clock(shift_days=settings.clock_shift_days, zone=settings.zone)


def database_pool() -> dict[tuple[str, ...], float]:
    """Connections of the database pool by state (``in_use``, ``idle``, ``max``); empty on SQLite,
    which has no pool, and before the database is open."""
    try:
        client = connections.get("default")
    except Exception:
        return {}
    # Tortoise keeps asyncpg's pool private; asyncpg's own accessors say how it is used.
    pool = getattr(client, "_pool", None)
    if pool is None or not hasattr(pool, "get_idle_size"):
        return {}
    size, idle = pool.get_size(), pool.get_idle_size()
    return {("in_use",): size - idle, ("idle",): idle, ("max",): pool.get_max_size()}


def build_runtime(settings: Settings) -> Runtime:
    # Short timeouts: limits and presence fall back or degrade when Redis hangs, instead of
    # holding the request (a frozen Redis otherwise stalls a sendMessage for seconds). Redis
    # answers in well under a millisecond; half a second only ever passes when it is frozen.
    redis = (
        Redis.from_url(settings.redis_url, socket_connect_timeout=1, socket_timeout=0.5)
        if settings.redis_url
        else None
    )
    bus = Bus(settings.bus_url, decode=loads)
    clock = build_clock(settings)
    presence = PresenceStore(redis, settings.presence_ttl, typing_ttl=settings.typing_ttl, clock=clock)
    services = Services(
        settings=settings,
        clock=clock,
        storage=Storage(settings),
        mailer=build_mailer(settings),
        limiter=Limiter(redis),
        redis=redis,
        presence=presence,
        recent_presence=RecentPresence(presence),
        sessions=SessionStore(redis, revoked_seconds=revoked_seconds(settings)),
        bus=bus,
    )
    return Runtime(
        services=services,
        bus=bus,
        heartbeat=PresenceHeartbeat(services, bus),
        watch=StreamWatch(bus, settings.presence_ttl),
        scheduler=Scheduler(services),
    )

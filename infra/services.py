"""The long-lived leaf services of one process, as the domain layer sees them.

Built and closed by the web layer (:mod:`web.services`); resolvers receive them as one object.
The bus is seen through :class:`Publisher` only: publishing is all the domain does with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel
from redis.asyncio import Redis

from infra.clock import Clock
from infra.limits import Limiter
from infra.mail import Mailer
from infra.presence import PresenceStore
from infra.presence_reads import RecentPresence
from infra.sessions import SessionStore
from infra.settings import Settings
from infra.storage import Storage


class Publisher(Protocol):
    async def publish(self, channel: str, event: BaseModel) -> None:
        """Publish after commit; never raises (the row is already stored)."""


@dataclass
class Services:
    settings: Settings
    clock: Clock
    storage: Storage
    mailer: Mailer
    limiter: Limiter
    redis: Redis | None
    presence: PresenceStore
    recent_presence: RecentPresence  # what publishers attach to room events
    sessions: SessionStore
    bus: Publisher

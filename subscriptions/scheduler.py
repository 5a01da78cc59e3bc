"""The periodic job: every SCHEDULER_INTERVAL seconds, one round of REMINDER and FINISHED notices.

Every instance runs the loop. A short Redis lock lets one instance per interval do the round and
spares the others the work; it is only an economy: the notices' unique keys in the database are
what make each one go out once, with or without Redis. A round that fails (database or Redis
down) is logged and skipped; the next one starts afresh.
"""

from __future__ import annotations

import asyncio
import logging
import uuid

from redis.exceptions import RedisError
from tortoise.exceptions import BaseORMException

from infra.services import Services
from resolvers.progress.notices import RoundReport, run_round
from subscriptions.background import BackgroundTask

log = logging.getLogger(__name__)

LOCK_KEY = "eroom:scheduler:round"


class Scheduler(BackgroundTask):
    name = "scheduler"

    def enabled(self) -> bool:
        return self.interval > 0

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.instance = uuid.uuid4().hex

    @property
    def interval(self) -> float:
        return self.services.settings.scheduler_interval

    async def tick(self, *, claim: bool = True) -> RoundReport | None:
        """One round, or None when another instance holds this interval's lock (``claim``)."""
        if claim and not await self._claim():
            return None
        return await run_round(self.services)

    async def _claim(self) -> bool:
        redis = self.services.redis
        if redis is None:
            return True
        try:
            taken = await redis.set(LOCK_KEY, self.instance, nx=True, px=max(int(self.interval * 900), 1))
        except (RedisError, OSError):
            log.warning("scheduler lock unavailable; running the round without it")
            return True
        return bool(taken)

    async def run(self) -> None:
        while True:
            # The first round waits one interval too: start-up finishes first, and instances
            # restarted together do not all reach for the lock at the same moment.
            await asyncio.sleep(self.interval)
            try:
                report = await self.tick()
            except (BaseORMException, RedisError, OSError) as error:
                log.warning(
                    "scheduler round skipped (%s: %s); the next one retries", type(error).__name__, error
                )
            except Exception:
                log.exception("scheduler round failed; the next one retries")
            else:
                if report is not None and (report.reminders or report.finished):
                    log.info(
                        "scheduler round: %d reminder(s), %d finished notice(s)",
                        report.reminders,
                        report.finished,
                    )

"""Fixed-window rate limits, shared through Redis when configured.

With ``REDIS_URL`` set, every instance counts in the same Redis keys, so limits hold across
the whole service. If Redis is unreachable, counting falls back to this process (the API keeps
serving; limits are then per instance until Redis answers again).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from infra.errors import RateLimited
from infra.settings import RateLimit

log = logging.getLogger(__name__)

KEY_PREFIX = "eroom:limit:"


@dataclass(slots=True)
class _Window:
    started: float
    count: int


class Limiter:
    def __init__(self, redis: Redis | None = None) -> None:
        self.redis = redis
        self._local: dict[str, _Window] = {}
        self.hits_refused = 0  # exported as a metric

    async def hit(self, key: str, limit: RateLimit) -> None:
        """Count one event for ``key``; ``RateLimited`` when it goes over ``limit``."""
        count, retry_after = await self._increment(key, limit)
        if count > limit.count:
            self.hits_refused += 1
            raise RateLimited(retry_after)

    async def check(self, key: str, limit: RateLimit) -> None:
        """``RateLimited`` if ``key`` is already over ``limit``; counts nothing."""
        count, retry_after = await self._current(key, limit)
        if count >= limit.count:
            self.hits_refused += 1
            raise RateLimited(retry_after)

    async def reset(self, key: str) -> None:
        self._local.pop(key, None)
        if self.redis is not None:
            try:
                await self.redis.delete(KEY_PREFIX + key)
            except (RedisError, OSError):
                log.warning("rate limit reset fell back to in-process")

    async def _increment(self, key: str, limit: RateLimit) -> tuple[int, float]:
        if self.redis is not None:
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.incr(KEY_PREFIX + key)
                    pipe.expire(KEY_PREFIX + key, limit.seconds, nx=True)
                    pipe.pttl(KEY_PREFIX + key)
                    count, _, ttl_ms = await pipe.execute()
                return int(count), max(int(ttl_ms), 0) / 1000 or limit.seconds
            except (RedisError, OSError):
                log.warning("rate limit counting fell back to in-process")
        window = self._window(key, limit)
        window.count += 1
        return window.count, window.started + limit.seconds - time.monotonic()

    async def _current(self, key: str, limit: RateLimit) -> tuple[int, float]:
        if self.redis is not None:
            try:
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.get(KEY_PREFIX + key)
                    pipe.pttl(KEY_PREFIX + key)
                    count, ttl_ms = await pipe.execute()
                return int(count or 0), max(int(ttl_ms), 0) / 1000 or limit.seconds
            except (RedisError, OSError):
                log.warning("rate limit check fell back to in-process")
        window = self._window(key, limit)
        return window.count, window.started + limit.seconds - time.monotonic()

    def _window(self, key: str, limit: RateLimit) -> _Window:
        now = time.monotonic()
        window = self._local.get(key)
        if window is None or now - window.started >= limit.seconds:
            if len(self._local) > 100_000:
                self._expire(now, limit)
            window = self._local[key] = _Window(started=now, count=0)
        return window

    def _expire(self, now: float, limit: RateLimit) -> None:
        stale = [k for k, w in self._local.items() if now - w.started >= limit.seconds]
        for key in stale:
            del self._local[key]

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
# One round trip: count, start the window on the first hit, and say how long it has left.
INCREMENT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) * 1000 end
return {count, ttl}
"""
# Past this many in-process windows (one per key: per IP, per member), those that are over
# are dropped.
MAX_LOCAL_KEYS = 100_000


@dataclass(slots=True)
class _Window:
    started: float
    seconds: int  # each key has its own limit: a 60 s window is over long before a 900 s one
    count: int

    def over(self, now: float) -> bool:
        return now - self.started >= self.seconds

    def retry_after(self, now: float) -> float:
        return self.started + self.seconds - now


class Limiter:
    def __init__(self, redis: Redis | None = None, *, max_local_keys: int = MAX_LOCAL_KEYS) -> None:
        self.redis = redis
        self._increment_script = redis.register_script(INCREMENT) if redis is not None else None
        self.max_local_keys = max_local_keys
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
        if self._increment_script is not None:
            try:
                count, ttl_ms = await self._increment_script(keys=[KEY_PREFIX + key], args=[limit.seconds])
                return int(count), max(int(ttl_ms), 0) / 1000 or limit.seconds
            except (RedisError, OSError):
                log.warning("rate limit counting fell back to in-process")
        window = self._window(key, limit)
        window.count += 1
        return window.count, window.retry_after(time.monotonic())

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
        return window.count, window.retry_after(time.monotonic())

    def _window(self, key: str, limit: RateLimit) -> _Window:
        now = time.monotonic()
        window = self._local.get(key)
        if window is None or window.over(now):
            if len(self._local) > self.max_local_keys:
                self._expire(now)
            window = self._local[key] = _Window(started=now, seconds=limit.seconds, count=0)
        return window

    def _expire(self, now: float) -> None:
        stale = [key for key, window in self._local.items() if window.over(now)]
        for key in stale:
            del self._local[key]

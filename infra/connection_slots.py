"""At most ``WS_MAX_CONNECTIONS_PER_MEMBER`` open WebSockets per member, across instances.

With Redis, each member has a sorted set of connection ids scored by when they expire; every
instance refreshes its own connections well before that, so a crashed instance's slots free
themselves after ``SLOT_TTL`` seconds. A Lua script makes "drop expired, count, add" atomic.
Without Redis (or while it is down) the count is kept in this process.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import defaultdict

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

KEY_PREFIX = "eroom:ws:"
SLOT_TTL = 60
REFRESH_EVERY = SLOT_TTL / 3

_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


class ConnectionSlots:
    def __init__(self, redis: Redis | None, limit: int, *, refresh_every: float = REFRESH_EVERY) -> None:
        self.redis = redis
        self.limit = limit
        self.refresh_every = refresh_every
        self._local: dict[int, set[str]] = defaultdict(set)
        self._in_redis: dict[str, int] = {}  # connection id -> member id
        self._refresher: asyncio.Task[None] | None = None

    async def acquire(self, member_id: int) -> str | None:
        """A slot id for a new connection of ``member_id``, or ``None`` when at the limit."""
        slot = secrets.token_hex(8)
        if self.redis is not None:
            try:
                now = time.time()
                granted = await self.redis.eval(
                    _ACQUIRE, 1, KEY_PREFIX + str(member_id), now, now + SLOT_TTL, self.limit, slot, SLOT_TTL
                )
            except (RedisError, OSError):
                log.warning("websocket slot counting fell back to in-process")
            else:
                if not granted:
                    return None
                self._in_redis[slot] = member_id
                self._start_refresher()
                return slot
        if len(self._local[member_id]) >= self.limit:
            return None
        self._local[member_id].add(slot)
        return slot

    async def release(self, member_id: int, slot: str) -> None:
        self._local[member_id].discard(slot)
        if not self._local[member_id]:
            del self._local[member_id]
        if self._in_redis.pop(slot, None) is not None and self.redis is not None:
            try:
                await self.redis.zrem(KEY_PREFIX + str(member_id), slot)
            except (RedisError, OSError):
                log.warning("websocket slot release failed; it expires in %ss", SLOT_TTL)

    def _start_refresher(self) -> None:
        if self._refresher is None or self._refresher.done():
            self._refresher = asyncio.create_task(self._refresh_forever())

    async def _refresh_forever(self) -> None:
        while self._in_redis and self.redis is not None:
            await asyncio.sleep(self.refresh_every)
            try:
                await self.refresh()
            except (RedisError, OSError):
                log.warning("websocket slot refresh failed")

    async def refresh(self) -> None:
        """Renew this instance's slots; re-adds any that Redis lost (a flush or an empty restart),
        so the cap still counts them."""
        assert self.redis is not None
        held = dict(self._in_redis)
        expires = time.time() + SLOT_TTL
        async with self.redis.pipeline(transaction=False) as pipe:
            for slot, member_id in held.items():
                pipe.zadd(KEY_PREFIX + str(member_id), {slot: expires})
                pipe.expire(KEY_PREFIX + str(member_id), SLOT_TTL)
            await pipe.execute()
        # A slot released while the renewal was on its way was re-added by it: remove it again.
        for slot, member_id in held.items():
            if slot not in self._in_redis:
                await self.redis.zrem(KEY_PREFIX + str(member_id), slot)

    async def close(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()

"""Who is online in which room: one entry per (member, connection), across instances.

A member is online while at least one of their ``roomEvents`` subscriptions to the room is
open, on any instance. With Redis, entries live in a sorted set per room scored by their
expiry; each instance refreshes its own entries every ``PRESENCE_TTL / 3`` seconds, so the
members of an instance that died without cleaning up stop counting within the TTL. Without
Redis, presence is this process's memory.

This is the store only: announcing JOIN and LEAVE to the room is the chat domain's job
(:mod:`resolvers.chat.presence`).
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

KEY_PREFIX = "eroom:presence:"


def _entry(member_id: int, connection: str) -> str:
    return f"{member_id}:{connection}"


def _member_of(entry: object) -> int:
    text = entry.decode() if isinstance(entry, bytes) else str(entry)
    return int(text.partition(":")[0])


class PresenceStore:
    def __init__(self, redis: Redis | None, ttl: int) -> None:
        self.redis = redis
        self.ttl = ttl
        # This process's own entries: room -> member -> connections. The source of truth
        # without Redis, and what the heartbeat refreshes (or restores after a Redis flush).
        self._local: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))

    @property
    def heartbeat_interval(self) -> float:
        return max(self.ttl / 3, 0.2)

    async def online(self, challenge_id: int) -> list[int]:
        """Member ids online in the room, ascending."""
        if self.redis is not None:
            try:
                entries = await self.redis.zrangebyscore(self._key(challenge_id), time.time(), "+inf")
                return sorted({_member_of(entry) for entry in entries})
            except (RedisError, OSError):
                log.warning("presence read fell back to this instance")
        return sorted(member for member, conns in self._local.get(challenge_id, {}).items() if conns)

    async def add(self, challenge_id: int, member_id: int, connection: str) -> None:
        self._local[challenge_id][member_id].add(connection)
        if self.redis is not None:
            try:
                await self.redis.zadd(
                    self._key(challenge_id), {_entry(member_id, connection): time.time() + self.ttl}
                )
            except (RedisError, OSError):
                log.warning("presence join not shared: Redis unavailable")

    async def remove(self, challenge_id: int, member_id: int, connection: str) -> None:
        room = self._local.get(challenge_id)
        if room is not None:
            room[member_id].discard(connection)
            if not room[member_id]:
                del room[member_id]
            if not room:
                del self._local[challenge_id]
        if self.redis is not None:
            try:
                await self.redis.zrem(self._key(challenge_id), _entry(member_id, connection))
            except (RedisError, OSError):
                log.warning("presence leave not shared: Redis unavailable (expires within the TTL)")

    async def refresh(self) -> list[tuple[int, int]]:
        """Renew this instance's entries and drop the ones other instances stopped renewing.

        Returns the ``(challenge_id, member_id)`` pairs that went offline through a drop made
        here (only the instance whose ZREM removed an entry reports it, so it is reported once).
        """
        if self.redis is None:
            return []
        expires = time.time() + self.ttl
        gone: list[tuple[int, int]] = []
        for challenge_id, members in list(self._local.items()):
            key = self._key(challenge_id)
            entries = {
                _entry(member_id, connection): expires
                for member_id, connections in members.items()
                for connection in connections
            }
            if entries:
                # Plain ZADD (not XX): restores our entries if Redis lost them.
                await self.redis.zadd(key, entries)
                await self.redis.expire(key, self.ttl * 4)
            gone.extend((challenge_id, member_id) for member_id in await self._expire(challenge_id))
        return gone

    async def _expire(self, challenge_id: int) -> list[int]:
        assert self.redis is not None
        key = self._key(challenge_id)
        stale = await self.redis.zrangebyscore(key, "-inf", time.time())
        dropped: set[int] = set()
        for entry in stale:
            assert isinstance(entry, bytes | str)
            if await self.redis.zrem(key, entry):
                dropped.add(_member_of(entry))
        if not dropped:
            return []
        online = set(await self.online(challenge_id))
        return sorted(dropped - online)

    def _key(self, challenge_id: int) -> str:
        return f"{KEY_PREFIX}{challenge_id}"

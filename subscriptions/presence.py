"""Who is online in which room: one entry per (member, connection).

A member is online while at least one of their ``roomEvents`` subscriptions to the room is
open, on any instance. With Redis, entries live in a sorted set per room scored by their
expiry; each instance refreshes its own entries every ``PRESENCE_TTL / 3`` seconds, so the
members of an instance that died without cleaning up stop counting within the TTL (and the
surviving instances announce their LEAVE). Without Redis, presence is this process's memory.

JOIN and LEAVE are published on the room channel so subscribers on every instance see them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict

from redis.asyncio import Redis
from redis.exceptions import RedisError

from subscriptions.bus import Bus
from subscriptions.channels import room_channel
from subscriptions.chat_events import RoomEventPayload, RoomEventType, now

log = logging.getLogger(__name__)

KEY_PREFIX = "eroom:presence:"


def _entry(member_id: int, connection: str) -> str:
    return f"{member_id}:{connection}"


def _member_of(entry: object) -> int:
    text = entry.decode() if isinstance(entry, bytes) else str(entry)
    return int(text.partition(":")[0])


class Presence:
    def __init__(self, bus: Bus, redis: Redis | None, ttl: int) -> None:
        self.bus = bus
        self.redis = redis
        self.ttl = ttl
        # This process's own entries: room -> member -> connections. The source of truth
        # without Redis, and what the heartbeat refreshes (or restores after a Redis flush).
        self._local: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._heartbeat: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self.redis is not None and self._heartbeat is None:
            self._heartbeat = asyncio.create_task(self._beat())

    async def stop(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
            self._heartbeat = None

    async def online(self, challenge_id: int) -> list[int]:
        """Member ids online in the room, ascending."""
        if self.redis is not None:
            try:
                entries = await self.redis.zrangebyscore(self._key(challenge_id), time.time(), "+inf")
                return sorted({_member_of(entry) for entry in entries})
            except (RedisError, OSError):
                log.warning("presence read fell back to this instance")
        return sorted(member for member, conns in self._local.get(challenge_id, {}).items() if conns)

    async def join(self, challenge_id: int, member_id: int, connection: str) -> None:
        """Count ``connection``; announce JOIN (to everyone, the opener included)."""
        self._local[challenge_id][member_id].add(connection)
        if self.redis is not None:
            try:
                await self.redis.zadd(
                    self._key(challenge_id), {_entry(member_id, connection): time.time() + self.ttl}
                )
            except (RedisError, OSError):
                log.warning("presence join not shared: Redis unavailable")
        await self._announce(RoomEventType.JOIN, challenge_id, member_id)

    async def leave(self, challenge_id: int, member_id: int, connection: str) -> None:
        """Forget ``connection``; announce LEAVE once the member's last connection is gone."""
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
        if member_id not in await self.online(challenge_id):
            await self._announce(RoomEventType.LEAVE, challenge_id, member_id)

    async def _announce(self, type: RoomEventType, challenge_id: int, member_id: int) -> None:
        event = RoomEventPayload(
            type=type,
            challenge_id=challenge_id,
            at=now(),
            online=tuple(await self.online(challenge_id)),
            member_id=member_id,
        )
        await self.bus.publish(room_channel(challenge_id), event.encode())

    def _key(self, challenge_id: int) -> str:
        return f"{KEY_PREFIX}{challenge_id}"

    async def _beat(self) -> None:
        interval = max(self.ttl / 3, 0.2)
        while True:
            await asyncio.sleep(interval)
            try:
                await self._refresh()
            except (RedisError, OSError):
                log.warning("presence heartbeat failed; retrying")
            except Exception:
                log.exception("presence heartbeat crashed; retrying")

    async def _refresh(self) -> None:
        assert self.redis is not None
        expires = time.time() + self.ttl
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
            await self._expire(challenge_id)

    async def _expire(self, challenge_id: int) -> None:
        """Drop entries whose instance stopped refreshing them; announce who went offline."""
        assert self.redis is not None
        key = self._key(challenge_id)
        stale = await self.redis.zrangebyscore(key, "-inf", time.time())
        gone: set[int] = set()
        for entry in stale:
            assert isinstance(entry, bytes | str)
            # Only the instance whose ZREM removed the entry announces, so LEAVE is sent once.
            if await self.redis.zrem(key, entry):
                gone.add(_member_of(entry))
        if gone:
            online = set(await self.online(challenge_id))
            for member_id in sorted(gone - online):
                await self._announce(RoomEventType.LEAVE, challenge_id, member_id)

"""Who is online in which room: one entry per (member, connection), across instances.

A member is online while at least one of their ``roomEvents`` subscriptions to the room is
open, on any instance. With Redis, entries live in a sorted set per room scored by their
expiry; each instance refreshes its own entries every ``PRESENCE_TTL / 3`` seconds (and at once
when asked, e.g. after Redis came back empty), so the members of an instance that died without
cleaning up stop counting within the TTL. Without Redis, presence is this process's memory.

Every change of a room's presence gets the room's next presence version (a Redis script reads
the clock and keeps the version increasing, so a Redis restart does not reset it), returned with
the presence after the change. Events announcing changes carry both, so a JOIN or LEAVE that
arrives after a newer one (publishes cross on the bus) can be recognised as stale and ignored.

Within a process the writes to one room run one at a time, each as a task of its own: a write
cancelled by its caller still finishes (or fails) before the next one starts, so a leave can
never be overtaken by the join it undoes, nor a refresh re-add an entry a leave just removed.

Online members' statuses and typing marks live with their entries (:mod:`infra.presence_status`);
setting a status takes the next presence version, a typing mark changes no presence.

This is the store only: announcing JOIN, LEAVE, STATUS and TYPING to the room is the chat
domain's job (:mod:`resolvers.chat`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from redis.asyncio import Redis
from redis.exceptions import RedisError

from infra import presence_scripts as scripts
from infra.clock import Clock
from infra.presence_status import (
    LocalExtras,
    MemberStatus,
    PresenceStatus,
    decode_hash,
    encode_status,
    statuses_of,
)

log = logging.getLogger(__name__)

KEY_PREFIX = "eroom:presence:"


@dataclass(frozen=True)
class Presence:
    """Who is online in a room (with their statuses, in the same order), and the room's presence
    version this is as of."""

    version: int
    online: tuple[int, ...]
    statuses: tuple[MemberStatus, ...] = ()

    def status_of(self, member_id: int) -> MemberStatus | None:
        return next((status for status in self.statuses if status.member_id == member_id), None)


@dataclass
class Refreshed:
    """What a refresh changed in one room: members gone (their instance stopped renewing them)
    and members back (this instance's, restored after Redis lost them)."""

    challenge_id: int
    presence: Presence
    gone: list[int] = field(default_factory=list)
    back: list[int] = field(default_factory=list)


def _log_failure(write: asyncio.Future[Presence]) -> None:
    # A write whose caller was cancelled has nobody else to report to.
    if not write.cancelled() and (error := write.exception()) is not None:
        log.error("presence write failed", exc_info=error)


class PresenceStore:
    def __init__(
        self, redis: Redis | None, ttl: int, *, typing_ttl: int = 5, clock: Clock | None = None
    ) -> None:
        self.redis = redis
        self.ttl = ttl
        self.typing_ttl = typing_ttl
        self.clock = clock or Clock()  # for the `since` of statuses, which members read
        # This process's own entries: room -> member -> connections whose join was written.
        # The source of truth without Redis, and what the refresh renews (or restores).
        self._local: dict[int, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._extras = LocalExtras(typing_ttl)  # statuses and typing marks without Redis
        self._locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._versions: dict[int, int] = {}  # without Redis
        if redis is not None:
            self._change = redis.register_script(scripts.CHANGE)
            self._refresh = redis.register_script(scripts.REFRESH)
            self._status = redis.register_script(scripts.STATUS)
            self._typing = redis.register_script(scripts.TYPING)

    @property
    def heartbeat_interval(self) -> float:
        return max(self.ttl / 3, 0.2)

    async def online(self, challenge_id: int) -> list[int]:
        """Member ids online in the room, ascending."""
        return list((await self.snapshot(challenge_id)).online)

    async def snapshot(self, challenge_id: int) -> Presence:
        if self.redis is not None:
            entries_key, version_key, statuses_key, _ = self._keys(challenge_id)
            try:
                # Reads only (no script), so a Redis holding writes still answers; the version
                # first, so the entries are at least as new as it.
                async with self.redis.pipeline(transaction=False) as pipe:
                    pipe.get(version_key)
                    pipe.zrangebyscore(entries_key, time.time(), "+inf")
                    pipe.hgetall(statuses_key)
                    version, entries, statuses = await pipe.execute()
                flat = [item for pair in statuses.items() for item in pair]
                return self._presence(version, entries, flat)
            except (RedisError, OSError):
                log.warning("presence read fell back to this instance")
        return self._local_presence(challenge_id)

    async def typists(self, challenge_id: int) -> list[int]:
        """Online members of the room marked typing in the last ``typing_ttl`` seconds, ascending."""
        if self.redis is not None:
            entries_key, _, _, typing_key = self._keys(challenge_id)
            try:
                now = time.time()
                async with self.redis.pipeline(transaction=False) as pipe:
                    pipe.zrangebyscore(typing_key, now, "+inf")
                    pipe.zrangebyscore(entries_key, now, "+inf")
                    typing, entries = await pipe.execute()
                online = set(scripts.members(entries))
                return sorted(member for member in map(int, typing) if member in online)
            except (RedisError, OSError):
                log.warning("typing read fell back to this instance")
        online = set(self._local_presence(challenge_id).online)
        return [member for member in self._extras.typists(challenge_id) if member in online]

    async def set_status(self, challenge_id: int, member_id: int, status: PresenceStatus) -> Presence | None:
        """Set the status of a member online in the room (on any instance), with the next
        presence version; None when the member is not online there."""
        at = self.clock.now()
        if self.redis is not None:
            try:
                arguments: list[str | float] = [
                    member_id,
                    encode_status(status, at),
                    time.time(),
                    self.ttl * 4,
                ]
                reply = await self._status(keys=self._keys(challenge_id), args=arguments)
                return None if reply is None else self._presence(*reply)
            except (RedisError, OSError):
                log.warning("presence status not shared: Redis unavailable")
        if member_id not in self._local.get(challenge_id, {}):
            return None
        self._extras.set_status(challenge_id, member_id, status, at)
        self._bump(challenge_id)
        return self._local_presence(challenge_id)

    async def set_typing(self, challenge_id: int, member_id: int, typing: bool) -> Presence | None:
        """Mark (or unmark) a member online in the room as typing for ``typing_ttl`` seconds; the
        room's presence (unchanged), or None when the member is not online there."""
        if self.redis is not None:
            try:
                now = time.time()
                arguments = [member_id, int(typing), now, now + self.typing_ttl, self.typing_ttl * 4]
                reply = await self._typing(keys=self._keys(challenge_id), args=arguments)
                return None if reply is None else self._presence(*reply)
            except (RedisError, OSError):
                log.warning("typing not shared: Redis unavailable")
        if member_id not in self._local.get(challenge_id, {}):
            return None
        self._extras.set_typing(challenge_id, member_id, typing)
        return self._local_presence(challenge_id)

    async def add(self, challenge_id: int, member_id: int, connection: str) -> Presence:
        """Count ``connection``; the presence after it. Cancelling the caller does not cancel
        the write, which the next write of the room waits for."""
        return await self._write(challenge_id, member_id, connection, joining=True)

    async def remove(self, challenge_id: int, member_id: int, connection: str) -> Presence:
        return await self._write(challenge_id, member_id, connection, joining=False)

    async def _write(self, challenge_id: int, member_id: int, connection: str, *, joining: bool) -> Presence:
        write = asyncio.ensure_future(self._locked_write(challenge_id, member_id, connection, joining))
        write.add_done_callback(_log_failure)
        return await asyncio.shield(write)

    async def _locked_write(
        self, challenge_id: int, member_id: int, connection: str, joining: bool
    ) -> Presence:
        async with self._locks[challenge_id]:
            self._write_local(challenge_id, member_id, connection, joining)
            if self.redis is not None:
                try:
                    return await self._redis_write(challenge_id, member_id, connection, joining)
                except (RedisError, OSError):
                    log.warning("presence change not shared: Redis unavailable (healed by the refresh)")
            self._bump(challenge_id)
            return self._local_presence(challenge_id)

    def _write_local(self, challenge_id: int, member_id: int, connection: str, joining: bool) -> None:
        members = self._local[challenge_id]
        if joining:
            if not members[member_id]:
                self._extras.came_online(challenge_id, member_id, self.clock.now())
            members[member_id].add(connection)
        else:
            members[member_id].discard(connection)
            if not members[member_id]:
                del members[member_id]
                self._extras.went_offline(challenge_id, member_id)

    async def _redis_write(
        self, challenge_id: int, member_id: int, connection: str, joining: bool
    ) -> Presence:
        assert self.redis is not None
        now = time.time()
        arguments = [
            "add" if joining else "remove",
            scripts.entry(member_id, connection),
            now + self.ttl,
            now,
            self.ttl * 4,
            encode_status(PresenceStatus.ONLINE, self.clock.now()),
        ]
        return self._presence(*await self._change(keys=self._keys(challenge_id), args=arguments))

    async def refresh(self) -> list[Refreshed]:
        """Renew this instance's entries (restoring any Redis lost) and drop the ones other
        instances stopped renewing; the rooms where that changed who is online. Only the
        instance whose script dropped an entry reports its member gone, so it is reported once."""
        if self.redis is None:
            return []
        changed: list[Refreshed] = []
        for challenge_id in list(self._local):
            lock = self._locks[challenge_id]
            async with lock:
                outcome = await self._refresh_room(challenge_id)
            if outcome.gone or outcome.back:
                changed.append(outcome)
            if not self._local.get(challenge_id) and not lock.locked():
                # Nobody of ours left in the room: forget it (after one last drop of others').
                self._local.pop(challenge_id, None)
                self._locks.pop(challenge_id, None)
        return changed

    async def _refresh_room(self, challenge_id: int) -> Refreshed:
        assert self.redis is not None
        members = self._local.get(challenge_id, {})
        entries = [
            scripts.entry(member, connection)
            for member, connections in members.items()
            for connection in connections
        ]
        now = time.time()
        online_since = encode_status(PresenceStatus.ONLINE, self.clock.now())
        version, online, gone, back, statuses = await self._refresh(
            keys=self._keys(challenge_id), args=[now + self.ttl, now, self.ttl * 4, online_since, *entries]
        )
        presence = self._presence(version, online, statuses)
        return Refreshed(
            challenge_id,
            presence,
            gone=[int(member) for member in gone if int(member) not in presence.online],
            back=[int(member) for member in back],
        )

    def _presence(self, version: object, entries: list[object], statuses: list[object]) -> Presence:
        """The presence of a script's (or a pipeline's) reply."""
        online = scripts.members(entries)
        stored = decode_hash(statuses)
        number = int(version) if isinstance(version, int | str | bytes) else 0
        return Presence(number, online, statuses_of(online, stored, fallback=self.clock.now()))

    def _local_presence(self, challenge_id: int) -> Presence:
        members = self._local.get(challenge_id, {})
        online = tuple(sorted(member for member, connections in members.items() if connections))
        statuses = statuses_of(online, self._extras.of_room(challenge_id), fallback=self.clock.now())
        return Presence(self._versions.get(challenge_id, 0), online, statuses)

    def _bump(self, challenge_id: int) -> None:
        now = time.time_ns() // 1000
        self._versions[challenge_id] = max(now, self._versions.get(challenge_id, 0) + 1)

    def _keys(self, challenge_id: int) -> list[str]:
        room = f"{KEY_PREFIX}{challenge_id}"
        return [room, f"{room}:version", f"{room}:status", f"{room}:typing"]

"""Presence as publishers read it: a room's newest known snapshot, read again after a moment.

Every published room event carries the room's presence, and reading it from Redis was a third of
a message's publish path. What this process learns of a room's presence is noted here as it
happens (its own JOIN/LEAVE writes, and the JOIN/LEAVE its streams receive from every instance),
so a message carries the newest presence its local subscribers have seen: they deliver it as it
is, sharing its execution, rather than each swapping in the newer one they hold. A snapshot
older than that (another instance's change not yet heard) is harmless: it carries its version,
and each stream delivers the newest presence it has seen, so nobody's ``onlineMembers`` goes back
in time.
"""

from __future__ import annotations

import time

from infra.presence import Presence, PresenceStore

MAX_AGE_SECONDS = 0.25
MAX_ROOMS = 10_000


class RecentPresence:
    def __init__(self, store: PresenceStore, max_age: float = MAX_AGE_SECONDS) -> None:
        self.store = store
        self.max_age = max_age
        self._snapshots: dict[int, tuple[Presence, float]] = {}  # room -> (presence, fresh until)

    def note(self, challenge_id: int, presence: Presence) -> None:
        """A presence of the room seen now (a write's result, a JOIN or LEAVE received)."""
        cached = self._snapshots.get(challenge_id)
        if cached is None or presence.version > cached[0].version:
            self._remember(challenge_id, presence, time.monotonic())

    async def snapshot(self, challenge_id: int) -> Presence:
        now = time.monotonic()
        cached = self._snapshots.get(challenge_id)
        if cached is not None and cached[1] > now:
            return cached[0]
        presence = await self.store.snapshot(challenge_id)
        if cached is not None and cached[0].version > presence.version:
            presence = cached[0]  # heard on the bus before this read (a replica's lag)
        self._remember(challenge_id, presence, now)
        return presence

    def _remember(self, challenge_id: int, presence: Presence, now: float) -> None:
        if len(self._snapshots) >= MAX_ROOMS:
            self._snapshots = {room: entry for room, entry in self._snapshots.items() if entry[1] > now}
        self._snapshots[challenge_id] = (presence, now + self.max_age)

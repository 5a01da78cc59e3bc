"""Presence as publishers read it: a room's snapshot kept for a fraction of a second.

Every published room event carries the room's presence, and reading it from Redis was a third of
a message's publish path. A snapshot a little old is harmless: it carries its version, and each
stream delivers the newest presence it has seen (``subscriptions.room_events``), so nobody's
``onlineMembers`` goes back in time; JOIN and LEAVE carry the presence their write returned.
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

    async def snapshot(self, challenge_id: int) -> Presence:
        now = time.monotonic()
        cached = self._snapshots.get(challenge_id)
        if cached is not None and cached[1] > now:
            return cached[0]
        presence = await self.store.snapshot(challenge_id)
        if len(self._snapshots) >= MAX_ROOMS:
            self._snapshots = {room: entry for room, entry in self._snapshots.items() if entry[1] > now}
        self._snapshots[challenge_id] = (presence, now + self.max_age)
        return presence

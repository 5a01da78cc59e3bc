"""The periodic check of every live stream of this process against the database.

What travels on the bus can be lost (Redis down or paused, a publisher's connection cut): a
MemberLeft, a RoomClosed, a MESSAGE, a notification. The bus only says things early; the
database says them for sure. So one task per process re-reads, every ``interval`` seconds and
with a fixed number of queries however many streams there are (the rooms' heads and memberships,
the members' notification heads):

- a room stream whose viewer no longer belongs to the room ends with FORBIDDEN, one whose
  challenge is gone with NOT_FOUND (the watch hands it the MemberLeft or RoomClosed it missed);
- an idle stream that has not delivered a seq the database already had at the previous check
  catches up from the database: a failed publish is recovered within two intervals, without
  waiting for the next event to reveal the gap. (A seq committed since the previous check may
  still be on its way through the bus, so it is left to the bus until the next one.)
"""

from __future__ import annotations

import asyncio
import logging

from events.member import MemberLeft, RoomClosed
from models.accounts import Member
from resolvers.chat import queries
from subscriptions.background import BackgroundTask
from subscriptions.bus import Bus
from subscriptions.inbox import Inbox

log = logging.getLogger(__name__)

# At most this long between checks (and at most PRESENCE_TTL / 3).
CHECK_EVERY = 1.5

Head = tuple[str, int]  # ("room", challenge_id) or ("member", member_id)


class StreamWatch(BackgroundTask):
    name = "stream-watch"

    def __init__(self, bus: Bus, presence_ttl: float) -> None:
        super().__init__()
        self.bus = bus
        self.interval = min(CHECK_EVERY, presence_ttl / 3)
        self._heads: dict[Head, int] = {}  # as read at the previous check

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.check()
            except Exception:
                log.exception("stream watch failed; retrying")

    async def check(self) -> None:
        """One pass over every live stream of the process."""
        inboxes = list(self.bus.inboxes)
        rooms = [inbox for inbox in inboxes if inbox.challenge_id is not None]
        notifications = [inbox for inbox in inboxes if inbox.challenge_id is None]
        heads: dict[Head, int] = {}
        if rooms:
            heads |= await self._check_rooms(rooms)
        if notifications:
            heads |= await self._check_notifications(notifications)
        self._heads = heads

    async def _check_rooms(self, inboxes: list[Inbox]) -> dict[Head, int]:
        challenge_ids = {inbox.challenge_id for inbox in inboxes if inbox.challenge_id is not None}
        heads = await queries.room_heads(challenge_ids=challenge_ids)
        members = await queries.members_of(
            challenge_ids=challenge_ids, member_ids={inbox.member_id for inbox in inboxes}
        )
        for inbox in inboxes:
            challenge_id = inbox.challenge_id
            assert challenge_id is not None
            if challenge_id not in heads:
                inbox.put_nowait(RoomClosed(challenge_id=challenge_id))
            elif (challenge_id, inbox.member_id) not in members:
                inbox.put_nowait(MemberLeft(member_id=inbox.member_id))
            else:
                self._catch_up_if_behind(inbox, ("room", challenge_id))
        return {("room", challenge_id): last_seq for challenge_id, last_seq in heads.items()}

    async def _check_notifications(self, inboxes: list[Inbox]) -> dict[Head, int]:
        member_ids = {inbox.member_id for inbox in inboxes}
        rows = await Member.filter(id__in=list(member_ids)).values_list("id", "notification_seq")
        for inbox in inboxes:
            self._catch_up_if_behind(inbox, ("member", inbox.member_id))
        return {("member", member_id): seq for member_id, seq in rows}

    def _catch_up_if_behind(self, inbox: Inbox, head: Head) -> None:
        # Only an idle stream: one with events queued will see the gap, or come back idle.
        if inbox.empty() and inbox.last < self._heads.get(head, 0):
            inbox.owe_catch_up()

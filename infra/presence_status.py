"""What an online member is doing in a room ("studying now"), and who is typing there.

Both belong to the member's presence in the room: a status is set to ONLINE when the member comes
online, changed by the member while they stay online, and forgotten when they go offline; a
typing mark lasts ``TYPING_TTL`` seconds unless renewed, and goes when the member goes offline.
Neither is ever stored in the database. With Redis they live beside the room's presence entries
(a hash of statuses, a sorted set of typing marks scored by expiry) and the presence scripts keep
them consistent with the entries; without Redis, :class:`LocalExtras` keeps them in memory.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class PresenceStatus(StrEnum):
    ONLINE = "ONLINE"
    STUDYING = "STUDYING"
    AWAY = "AWAY"


@dataclass(frozen=True, slots=True)
class MemberStatus:
    member_id: int
    status: PresenceStatus
    since: dt.datetime


def encode_status(status: PresenceStatus, since: dt.datetime) -> str:
    """A status as stored in Redis: ``STATUS:microseconds since the epoch``."""
    return f"{status.value}:{int(since.timestamp() * 1_000_000)}"


def decode_status(member_id: int, text: str | bytes) -> MemberStatus | None:
    raw = text.decode() if isinstance(text, bytes) else text
    name, _, micros = raw.partition(":")
    try:
        since = dt.datetime.fromtimestamp(int(micros) / 1_000_000, dt.UTC)
        return MemberStatus(member_id, PresenceStatus(name), since)
    except ValueError:
        return None  # written by another release in a form this one does not read


def statuses_of(
    online: Sequence[int], stored: Iterable[MemberStatus], *, fallback: dt.datetime
) -> tuple[MemberStatus, ...]:
    """One status per online member, in ``online`` order. A member with none stored (an entry
    written by a release without statuses) is ONLINE since ``fallback``; statuses of members
    who are not online are left out."""
    by_member = {status.member_id: status for status in stored}
    return tuple(
        by_member.get(member_id) or MemberStatus(member_id, PresenceStatus.ONLINE, fallback)
        for member_id in online
    )


def decode_hash(flat: Sequence[object]) -> list[MemberStatus]:
    """The statuses of a Redis ``HGETALL`` reply given as a flat ``[field, value, ...]`` list."""
    decoded = []
    for index in range(0, len(flat) - 1, 2):
        key, value = flat[index], flat[index + 1]
        member = key.decode() if isinstance(key, bytes) else str(key)
        if member.isdigit() and isinstance(value, str | bytes):
            status = decode_status(int(member), value)
            if status is not None:
                decoded.append(status)
    return decoded


@dataclass
class LocalExtras:
    """Statuses and typing marks of this process's rooms, when presence is in memory."""

    typing_ttl: float
    statuses: dict[int, dict[int, MemberStatus]] = field(default_factory=lambda: defaultdict(dict))
    typing: dict[int, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))

    def came_online(self, challenge_id: int, member_id: int, at: dt.datetime) -> None:
        self.statuses[challenge_id][member_id] = MemberStatus(member_id, PresenceStatus.ONLINE, at)

    def went_offline(self, challenge_id: int, member_id: int) -> None:
        self.statuses.get(challenge_id, {}).pop(member_id, None)
        self.typing.get(challenge_id, {}).pop(member_id, None)
        for rooms in (self.statuses, self.typing):
            if not rooms.get(challenge_id):
                rooms.pop(challenge_id, None)

    def set_status(self, challenge_id: int, member_id: int, status: PresenceStatus, at: dt.datetime) -> None:
        self.statuses[challenge_id][member_id] = MemberStatus(member_id, status, at)

    def set_typing(self, challenge_id: int, member_id: int, typing: bool) -> None:
        marks = self.typing[challenge_id]
        now = time.time()
        for member, expiry in list(marks.items()):
            if expiry <= now:
                del marks[member]
        if typing:
            marks[member_id] = now + self.typing_ttl
        else:
            marks.pop(member_id, None)

    def typists(self, challenge_id: int) -> list[int]:
        now = time.time()
        return sorted(member for member, expiry in self.typing.get(challenge_id, {}).items() if expiry > now)

    def of_room(self, challenge_id: int) -> list[MemberStatus]:
        return list(self.statuses.get(challenge_id, {}).values())

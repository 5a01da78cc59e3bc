"""What progress is computed from, loaded per batch of challenges, never per member.

Two statements for any number of challenges: their memberships, and their APPROVED and WAITING
proofs as ``(challenge, author, createdAt, status)`` rows. The proofs are bucketed by calendar
day in TIMEZONE here rather than in SQL, where SQLite has no time zones. Every member's
standing in a challenge is computed at once, as ranks need the whole field anyway.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from strawberry.dataloader import DataLoader

from infra.clock import Clock
from models.challenges import Challenge, Membership
from models.proofs import Proof, ProofStatus
from resolvers.challenges.schedule import Schedule
from resolvers.progress.rules import DayCount, Standing, progress, ranked

COUNTED = (ProofStatus.APPROVED, ProofStatus.WAITING)


@dataclass(frozen=True, slots=True)
class ProgressKey:
    """Everything one challenge's standings depend on, besides its rows: its terms and the day."""

    challenge_id: int
    start_date: dt.date
    due_date: dt.date
    schedule: Schedule
    today: dt.date
    zone: ZoneInfo

    @classmethod
    def of(cls, challenge: Challenge, clock: Clock) -> ProgressKey:
        return cls(
            challenge_id=challenge.id,
            start_date=challenge.start_date,
            due_date=challenge.due_date,
            schedule=Schedule(challenge.schedule_period, challenge.schedule_times),
            today=clock.today(),
            zone=clock.zone,
        )


@dataclass(frozen=True, slots=True)
class Standings:
    """One challenge's leaderboard: every member's standing, ranked."""

    leaderboard: list[Standing]
    by_member: dict[int, Standing] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_member", {entry.member_id: entry for entry in self.leaderboard})

    def of(self, member_id: int) -> Standing | None:
        return self.by_member.get(member_id)


MemberDays = dict[int, dict[dt.date, DayCount]]  # member id -> day -> count


def _days(rows: Sequence[tuple[int, int, dt.datetime, str]], zone: ZoneInfo) -> dict[int, MemberDays]:
    found: dict[int, MemberDays] = defaultdict(lambda: defaultdict(dict))
    for challenge_id, author_id, created_at, status in rows:
        days = found[challenge_id][author_id]
        day = created_at.astimezone(zone).date()
        count = days.get(day, DayCount())
        if status == ProofStatus.APPROVED:
            days[day] = DayCount(count.approved + 1, count.waiting)
        else:
            days[day] = DayCount(count.approved, count.waiting + 1)
    return found


def _standings(
    key: ProgressKey, members: Sequence[tuple[int, int, dt.datetime]], days: MemberDays
) -> Standings:
    entries = [
        Standing(
            member_id=member_id,
            membership_id=membership_id,
            joined_at=joined_at,
            counts=progress(
                schedule=key.schedule,
                start_date=key.start_date,
                due_date=key.due_date,
                joined_on=joined_at.astimezone(key.zone).date(),
                today=key.today,
                days=days.get(member_id, {}),
            ),
        )
        for membership_id, member_id, joined_at in members
    ]
    return Standings(ranked(entries))


async def load_standings(keys: Sequence[ProgressKey]) -> list[Standings]:
    """The standings of each key's challenge, in key order, from two statements."""
    if not keys:
        return []
    challenge_ids = list({key.challenge_id for key in keys})
    members: dict[int, list[tuple[int, int, dt.datetime]]] = defaultdict(list)
    for membership_id, challenge_id, member_id, joined_at in await Membership.filter(
        challenge_id__in=challenge_ids
    ).values_list("id", "challenge_id", "member_id", "joined_at"):
        members[challenge_id].append((membership_id, member_id, joined_at))
    rows = await Proof.filter(challenge_id__in=challenge_ids, status__in=COUNTED).values_list(
        "challenge_id", "author_id", "created_at", "status"
    )
    by_zone = {zone: _days(rows, zone) for zone in {key.zone for key in keys}}
    return [
        _standings(key, members.get(key.challenge_id, []), by_zone[key.zone].get(key.challenge_id, {}))
        for key in keys
    ]


class ProgressByChallengeLoader(DataLoader[ProgressKey, Standings]):
    """A challenge's standings on a day; every challenge of a page in one batch."""

    def __init__(self) -> None:
        super().__init__(load_fn=load_standings)

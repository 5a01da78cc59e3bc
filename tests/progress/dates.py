"""Dates and rows for the progress arithmetic's tests: Monday 2026-11-02 starts ISO week 45."""

from __future__ import annotations

import datetime as dt

from infra.clock import Clock
from models.challenges import SchedulePeriod
from resolvers.challenges.schedule import Schedule
from resolvers.progress.rules import Counts, DayCount, Standing

DAILY = Schedule(SchedulePeriod.DAY, 1)
THREE_A_WEEK = Schedule(SchedulePeriod.WEEK, 3)
MONDAY = dt.date(2026, 11, 2)


def day(offset: int) -> dt.date:
    return MONDAY + dt.timedelta(days=offset)


def clock_on(local_day: dt.date, hour: int = 12) -> Clock:
    """A clock whose source says ``hour`` o'clock of ``local_day`` in Seoul (UTC+9)."""
    moment = dt.datetime.combine(local_day, dt.time(hour), dt.UTC) - dt.timedelta(hours=9)
    return Clock(source=lambda: moment)


def approved_on(*offsets: int) -> dict[dt.date, DayCount]:
    days: dict[dt.date, DayCount] = {}
    for offset in offsets:
        count = days.get(day(offset), DayCount())
        days[day(offset)] = DayCount(count.approved + 1, count.waiting)
    return days


def standing(member_id: int, counts: Counts, joined: int = 0) -> Standing:
    joined_at = dt.datetime.combine(day(joined), dt.time(9), dt.UTC)
    return Standing(member_id=member_id, membership_id=member_id, joined_at=joined_at, counts=counts)

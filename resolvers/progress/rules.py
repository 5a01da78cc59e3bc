"""The progress arithmetic: pure functions over plain data, with "today" passed in.

One member's standing in one challenge, as the ``Progress`` type of the contract states it:

* The window runs from the later of the challenge's startDate and the day the member joined to
  the earlier of dueDate and today. Days are calendar days in TIMEZONE.
* Periods are days (DAY) or ISO weeks, Monday first (WEEK). A period asks for ``times`` proofs;
  a week cut by the window's start (startDate or the join day) or by dueDate asks for at most
  its number of days between those bounds. Today never cuts a week.
* A proof counts for the period of the day it was created. APPROVED proofs count, capped at the
  period's requirement; a period is fulfilled when its capped count meets the requirement.
* The current period is the one holding today, while the challenge runs; every period of the
  window before it is past. ``required`` and ``approved`` add up the past periods, and the
  current one once it is fulfilled.
* ``waiting``: WAITING proofs created in the window, the current period included, uncapped.
* ``misses``: past periods not fulfilled.
* ``currentStreak``: fulfilled periods in a row, ending with the current period when it is
  fulfilled, else with the last past period; ``bestStreak``: the longest such run.
* ``doneThisPeriod``: the current period's APPROVED plus WAITING proofs meet its requirement.
* ``rank``: the 1-based place in the order rate desc, misses asc, approved desc, joinedAt asc.

Cases the contract leaves open, decided here:

* Not started (today before startDate): no period at all, so required 0, approved 0, rate 1.0,
  misses 0, streaks 0, waiting 0 and doneThisPeriod false (there is no current period).
* Ended (today after dueDate): no current period; every period of the window is past, so
  doneThisPeriod is false and the numbers are final.
* Proofs created outside the window (before the start or the join day, after dueDate, or dated
  after today) count nowhere; DENIED proofs count nowhere.
* Equal rate, misses, approved and joinedAt: the earlier membership (lower id) ranks first, so
  ranks are unique. The winners of a challenge are the members tied with the first on rate,
  misses and approved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from models.challenges import SchedulePeriod
from resolvers.challenges.schedule import Schedule

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class DayCount:
    """A member's proofs created on one day, by status."""

    approved: int = 0
    waiting: int = 0


@dataclass(frozen=True, slots=True)
class Period:
    start: dt.date  # Monday for a week, even when the window starts later
    end: dt.date  # inclusive
    required: int


@dataclass(frozen=True, slots=True)
class Counts:
    required: int = 0
    approved: int = 0
    waiting: int = 0
    misses: int = 0
    current_streak: int = 0
    best_streak: int = 0
    done_this_period: bool = False

    @property
    def rate(self) -> Fraction:
        return Fraction(self.approved, self.required) if self.required else Fraction(1)


@dataclass(frozen=True, slots=True)
class Standing:
    """One member's progress in one challenge, with their place in its leaderboard."""

    member_id: int
    membership_id: int
    joined_at: dt.datetime
    counts: Counts
    rank: int = 0

    @property
    def order_key(self) -> tuple[Fraction, int, int, dt.datetime, int]:
        counts = self.counts
        return (-counts.rate, counts.misses, -counts.approved, self.joined_at, self.membership_id)


def period_bounds(day: dt.date, period: SchedulePeriod) -> tuple[dt.date, dt.date]:
    """The first and last day of the period holding ``day``."""
    if period is SchedulePeriod.DAY:
        return day, day
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + 6 * ONE_DAY


def periods(schedule: Schedule, *, first: dt.date, due: dt.date, last: dt.date) -> list[Period]:
    """The periods that meet the days ``first`` to ``last``, each asking for ``times`` proofs or
    for its number of days between ``first`` and ``due`` if that is fewer."""
    found: list[Period] = []
    day = first
    while day <= last:
        start, end = period_bounds(day, schedule.period)
        days = (min(end, due) - max(start, first)).days + 1
        found.append(Period(start=start, end=end, required=min(schedule.times, days)))
        day = end + ONE_DAY
    return found


def _runs(fulfilled: Sequence[bool]) -> tuple[int, int]:
    """(the run of True at the end, the longest run of True)."""
    current = best = 0
    for done in fulfilled:
        current = current + 1 if done else 0
        best = max(best, current)
    return current, best


def _per_period(
    days: Mapping[dt.date, DayCount], schedule: Schedule, first: dt.date, last: dt.date
) -> dict[dt.date, DayCount]:
    totals: dict[dt.date, DayCount] = {}
    for day, count in days.items():
        if first <= day <= last:
            start, _ = period_bounds(day, schedule.period)
            total = totals.get(start, DayCount())
            totals[start] = DayCount(total.approved + count.approved, total.waiting + count.waiting)
    return totals


def progress(
    *,
    schedule: Schedule,
    start_date: dt.date,
    due_date: dt.date,
    joined_on: dt.date,
    today: dt.date,
    days: Mapping[dt.date, DayCount],
) -> Counts:
    """One member's counts in one challenge on ``today`` (see the module's rules)."""
    first, last = max(start_date, joined_on), min(due_date, today)
    if first > last:
        return Counts()
    window = periods(schedule, first=first, due=due_date, last=last)
    totals = _per_period(days, schedule, first, last)
    current = window[-1] if start_date <= today <= due_date else None
    past = window[:-1] if current is not None else window

    required = approved = misses = 0
    fulfilled: list[bool] = []
    for period in past:
        capped = min(totals.get(period.start, DayCount()).approved, period.required)
        required, approved = required + period.required, approved + capped
        fulfilled.append(capped >= period.required)
        misses += capped < period.required
    done_this_period = False
    if current is not None:
        now = totals.get(current.start, DayCount())
        done_this_period = now.approved + now.waiting >= current.required
        if now.approved >= current.required:
            required, approved = required + current.required, approved + current.required
            fulfilled.append(True)
    current_streak, best_streak = _runs(fulfilled)
    return Counts(
        required=required,
        approved=approved,
        waiting=sum(total.waiting for total in totals.values()),
        misses=misses,
        current_streak=current_streak,
        best_streak=best_streak,
        done_this_period=done_this_period,
    )


def ranked(standings: Iterable[Standing]) -> list[Standing]:
    """The leaderboard: ``standings`` in order, each with its 1-based ``rank``."""
    ordered = sorted(standings, key=lambda standing: standing.order_key)
    return [replace(standing, rank=place) for place, standing in enumerate(ordered, start=1)]


def winners(leaderboard: Sequence[Standing]) -> list[Standing]:
    """The members tied with the first on rate, misses and approved."""
    if not leaderboard:
        return []
    best = leaderboard[0].order_key[:3]
    return [standing for standing in leaderboard if standing.order_key[:3] == best]

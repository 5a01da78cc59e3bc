"""A challenge's schedule: how many approved proofs each period (a day or an ISO week) asks for.

Given as ``ScheduleInput``, or read from the free-text ``frequency`` in one of the accepted
forms, case and spaces ignored. ``frequency`` itself stays display text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from infra.errors import BadInput
from models.challenges import SchedulePeriod

ACCEPTED_FORMS = '"DAILY", "매일", "N times a week", "weekly N" or "주 N회" (N from 1 to 7)'
DAILY_WORDS = frozenset({"daily", "매일"})
# Matched against the casefolded text with every space removed.
WEEKLY_FORMS = (
    re.compile(r"([1-7])times?aweek"),
    re.compile(r"weekly([1-7])"),
    re.compile(r"주([1-7])회"),
)
MAX_TIMES = {SchedulePeriod.DAY: 1, SchedulePeriod.WEEK: 7}


@dataclass(frozen=True, slots=True)
class Schedule:
    period: SchedulePeriod
    times: int


DAILY = Schedule(SchedulePeriod.DAY, 1)


def parse_frequency(text: str) -> Schedule | None:
    """The schedule ``text`` states in an accepted form, else None."""
    folded = "".join(text.split()).casefold()
    if folded in DAILY_WORDS:
        return DAILY
    for form in WEEKLY_FORMS:
        found = form.fullmatch(folded)
        if found:
            return Schedule(SchedulePeriod.WEEK, int(found.group(1)))
    return None


def schedule_from_frequency(text: str) -> Schedule:
    schedule = parse_frequency(text)
    if schedule is None:
        raise BadInput(
            f"Write the frequency as {ACCEPTED_FORMS}, or give a schedule.",
            field="frequency",
        )
    return schedule


def check_schedule(schedule: Schedule) -> Schedule:
    """DAY asks for 1 proof a day; WEEK for 1 to 7 a week."""
    if not 1 <= schedule.times <= MAX_TIMES[schedule.period]:
        allowed = "1" if schedule.period is SchedulePeriod.DAY else "1 to 7"
        raise BadInput(f"A {schedule.period.value} schedule asks for {allowed} proofs.", field="schedule")
    return schedule

"""The progress arithmetic, pure: schedules, windows, capping, streaks and ranks on a clock
the tests set (Monday 2026-11-02 starts ISO week 45)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from infra.clock import Clock
from models.challenges import SchedulePeriod
from resolvers.progress.rules import (
    Counts,
    DayCount,
    Schedule,
    Standing,
    periods,
    progress,
    ranked,
    winners,
)

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


def test_today_is_the_calendar_day_in_the_service_time_zone() -> None:
    # given 16:30 UTC on Monday, which is 01:30 on Tuesday in Seoul
    source = dt.datetime(2026, 11, 2, 16, 30, tzinfo=dt.UTC)

    # when / then
    assert Clock(source=lambda: source).today() == day(1)
    assert Clock(shift_days=3, source=lambda: source).today() == day(4)
    assert Clock(shift_days=3, source=lambda: source).now() == source + dt.timedelta(days=3)


def test_progress_daily_over_several_weeks_counts_each_past_day() -> None:
    # given a daily challenge from Monday of week 45, proofs approved every day but days 4 and 9
    proofs = approved_on(*(offset for offset in range(17) if offset not in (4, 9)))

    # when it is day 17 (Thursday of week 47) and nothing was posted today yet
    counts = progress(
        schedule=DAILY,
        start_date=MONDAY,
        due_date=day(40),
        joined_on=MONDAY,
        today=clock_on(day(17)).today(),
        days=proofs,
    )

    # then the 17 past days count, the unfinished current day does not
    assert counts == Counts(
        required=17, approved=15, waiting=0, misses=2, current_streak=7, best_streak=7, done_this_period=False
    )
    assert counts.rate == Fraction(15, 17)


def test_progress_daily_counts_the_current_day_once_it_is_fulfilled() -> None:
    # given proofs approved on each of days 0 to 3
    proofs = approved_on(0, 1, 2, 3)

    # when it is day 3
    counts = progress(
        schedule=DAILY, start_date=MONDAY, due_date=day(40), joined_on=MONDAY, today=day(3), days=proofs
    )

    # then today counts too: its streak continues through it
    assert (counts.required, counts.approved, counts.misses) == (4, 4, 0)
    assert (counts.current_streak, counts.best_streak, counts.done_this_period) == (4, 4, True)
    assert counts.rate == 1


def test_progress_three_a_week_over_several_weeks_caps_each_week() -> None:
    # given 3 a week: week 45 has 4 approved, week 46 has 2, week 47 (current) has 1 so far
    proofs = approved_on(0, 1, 2, 3, 7, 8, 14)

    # when it is Wednesday of week 47
    counts = progress(
        schedule=THREE_A_WEEK,
        start_date=MONDAY,
        due_date=day(40),
        joined_on=MONDAY,
        today=day(16),
        days=proofs,
    )

    # then week 45 counts 3 of its 4, week 46 is a miss, week 47 is not counted yet
    assert counts == Counts(
        required=6, approved=5, waiting=0, misses=1, current_streak=0, best_streak=1, done_this_period=False
    )


def test_periods_of_weeks_are_iso_weeks_cut_by_start_and_due_date() -> None:
    # given a 3-a-week challenge from Saturday of week 45 to Tuesday of week 48
    start, due = day(5), day(22)

    # when its periods are listed up to its last day
    found = periods(THREE_A_WEEK, first=start, due=due, last=due)

    # then weeks begin on Monday; the first asks for 2 (Sat, Sun), the last for 2 (Mon, Tue)
    assert [(period.start, period.end, period.required) for period in found] == [
        (day(0), day(6), 2),
        (day(7), day(13), 3),
        (day(14), day(20), 3),
        (day(21), day(27), 2),
    ]


def test_progress_partial_first_week_requires_its_days_in_the_window() -> None:
    # given a 3-a-week challenge starting on Saturday, with one proof approved that Saturday
    proofs = approved_on(5)

    # when it is the next Monday
    counts = progress(
        schedule=THREE_A_WEEK,
        start_date=day(5),
        due_date=day(40),
        joined_on=day(5),
        today=day(7),
        days=proofs,
    )

    # then the first week asked for 2 (Saturday and Sunday) and got 1: a miss
    assert (counts.required, counts.approved, counts.misses) == (2, 1, 1)


def test_progress_partial_last_week_requires_its_days_before_the_due_date() -> None:
    # given a 3-a-week challenge ending on Tuesday of week 46, two proofs that Monday and Tuesday
    proofs = approved_on(0, 1, 2, 7, 8)

    # when it is that Tuesday (the last day)
    counts = progress(
        schedule=THREE_A_WEEK, start_date=MONDAY, due_date=day(8), joined_on=MONDAY, today=day(8), days=proofs
    )

    # then the last week asks for 2 and is fulfilled already, so it counts
    assert (counts.required, counts.approved, counts.misses, counts.current_streak) == (5, 5, 0, 2)
    assert counts.done_this_period


def test_progress_today_never_cuts_a_week() -> None:
    # given 3 a week and one proof on Monday of week 46
    proofs = approved_on(0, 1, 2, 7)

    # when it is that Monday: only one day of the week has passed
    counts = progress(
        schedule=THREE_A_WEEK,
        start_date=MONDAY,
        due_date=day(40),
        joined_on=MONDAY,
        today=day(7),
        days=proofs,
    )

    # then the current week still asks for 3: not fulfilled, not counted, not done
    assert (counts.required, counts.approved, counts.done_this_period) == (3, 3, False)


def test_progress_member_joining_mid_challenge_starts_on_the_join_day() -> None:
    # given a daily challenge from day 0; the member joined on day 10 and proved days 10 to 12
    proofs = approved_on(3, 10, 11, 12)

    # when it is day 13
    counts = progress(
        schedule=DAILY, start_date=MONDAY, due_date=day(40), joined_on=day(10), today=day(13), days=proofs
    )

    # then days before the join count nowhere (not even the proof of day 3)
    assert (counts.required, counts.approved, counts.misses, counts.current_streak) == (3, 3, 0, 3)


def test_progress_member_joining_mid_week_has_a_partial_first_week() -> None:
    # given 3 a week; the member joined on Saturday of week 45 and proved that Saturday and Sunday
    proofs = approved_on(5, 6)

    # when it is Monday of week 46
    counts = progress(
        schedule=THREE_A_WEEK,
        start_date=MONDAY,
        due_date=day(40),
        joined_on=day(5),
        today=day(7),
        days=proofs,
    )

    # then their first week asked for 2 and is fulfilled
    assert (counts.required, counts.approved, counts.misses, counts.current_streak) == (2, 2, 0, 1)


def test_progress_caps_approved_proofs_at_the_requirement_per_period() -> None:
    # given a daily challenge with three proofs approved on day 0 and none on day 1
    proofs = approved_on(0, 0, 0)

    # when it is day 2
    counts = progress(
        schedule=DAILY, start_date=MONDAY, due_date=day(40), joined_on=MONDAY, today=day(2), days=proofs
    )

    # then the extra proofs of day 0 do not make up for day 1
    assert (counts.required, counts.approved, counts.misses) == (2, 1, 1)
    assert counts.rate == Fraction(1, 2)


def test_progress_waiting_proofs_make_the_period_done_but_count_as_waiting_only() -> None:
    # given a daily challenge, a proof waiting for review on day 1 (today) and one on day 0
    proofs = {day(0): DayCount(waiting=1), day(1): DayCount(waiting=1)}

    # when it is day 1
    counts = progress(
        schedule=DAILY, start_date=MONDAY, due_date=day(40), joined_on=MONDAY, today=day(1), days=proofs
    )

    # then day 0 is a miss until reviewed, today is done, and both proofs are waiting
    assert counts == Counts(
        required=1, approved=0, waiting=2, misses=1, current_streak=0, best_streak=0, done_this_period=True
    )


def test_progress_counts_a_denied_proof_once_it_is_approved() -> None:
    # given a proof of day 0 that was denied: it is in no count
    denied = progress(
        schedule=DAILY, start_date=MONDAY, due_date=day(40), joined_on=MONDAY, today=day(1), days={}
    )

    # when the leader approves it after all
    approved = progress(
        schedule=DAILY,
        start_date=MONDAY,
        due_date=day(40),
        joined_on=MONDAY,
        today=day(1),
        days=approved_on(0),
    )

    # then day 0 turns from a miss into a fulfilled period
    assert (denied.approved, denied.misses, denied.current_streak) == (0, 1, 0)
    assert (approved.approved, approved.misses, approved.current_streak) == (1, 0, 1)


def test_progress_streaks_restart_after_a_miss() -> None:
    # given daily proofs on days 0-4, a miss on day 5, proofs on days 6-7
    proofs = approved_on(0, 1, 2, 3, 4, 6, 7)

    # when it is day 8 with nothing posted yet
    counts = progress(
        schedule=DAILY, start_date=MONDAY, due_date=day(40), joined_on=MONDAY, today=day(8), days=proofs
    )

    # then the current streak ends with the last past day; the best one was before the miss
    assert (counts.current_streak, counts.best_streak, counts.misses) == (2, 5, 1)


def test_progress_of_a_challenge_not_started_is_empty_with_rate_one() -> None:
    # given a challenge starting on day 5 and a proof posted before it started
    proofs = approved_on(2)

    # when it is day 3
    counts = progress(
        schedule=DAILY, start_date=day(5), due_date=day(40), joined_on=day(1), today=day(3), days=proofs
    )

    # then nothing counts yet
    assert counts == Counts()
    assert counts.rate == 1


def test_progress_of_an_ended_challenge_has_no_current_period() -> None:
    # given a daily challenge of days 0 to 6, proofs on every day, the last one still waiting
    proofs = {**approved_on(0, 1, 2, 3, 4, 5), day(6): DayCount(waiting=1), day(8): DayCount(approved=1)}

    # when it is day 9
    counts = progress(
        schedule=DAILY, start_date=MONDAY, due_date=day(6), joined_on=MONDAY, today=day(9), days=proofs
    )

    # then all 7 days are past, the waiting last day is a miss, the late proof counts nowhere
    assert counts == Counts(
        required=7, approved=6, waiting=1, misses=1, current_streak=0, best_streak=6, done_this_period=False
    )


def test_ranked_orders_by_rate_then_misses_then_approved_then_join_time() -> None:
    # given members with different standings
    perfect = standing(1, Counts(required=4, approved=4))
    late_perfect = standing(2, Counts(required=2, approved=2), joined=2)
    fewer_misses = standing(3, Counts(required=4, approved=2, misses=1))
    more_misses = standing(4, Counts(required=4, approved=2, misses=2))
    new = standing(5, Counts(), joined=3)

    # when they are ranked
    board = ranked([more_misses, new, fewer_misses, late_perfect, perfect])

    # then rate desc, misses asc, approved desc, joined asc, places from 1
    assert [(entry.member_id, entry.rank) for entry in board] == [(1, 1), (2, 2), (5, 3), (3, 4), (4, 5)]
    assert [entry.member_id for entry in winners(board)] == [1]


def test_winners_are_everyone_tied_with_the_first_on_the_numbers() -> None:
    # given two members with the same rate, misses and approved, who joined at different times
    board = ranked([standing(2, Counts(required=3, approved=3), joined=1), standing(1, Counts(3, 3))])

    # when / then both win; the earlier joiner ranks first
    assert [entry.member_id for entry in board] == [1, 2]
    assert [entry.member_id for entry in winners(board)] == [1, 2]

"""The progress arithmetic for weekly schedules: ISO weeks, partial first and last weeks."""

from __future__ import annotations

from resolvers.progress.rules import Counts, periods, progress
from tests.progress.dates import MONDAY, THREE_A_WEEK, approved_on, day


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

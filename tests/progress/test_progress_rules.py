"""The progress arithmetic, pure, for daily schedules: windows, capping, waiting proofs, streaks,
challenges not started and ended, on a clock the tests set."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from infra.clock import Clock
from resolvers.progress.rules import Counts, DayCount, progress
from tests.progress.dates import DAILY, MONDAY, approved_on, clock_on, day


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


def test_progress_member_joining_mid_challenge_starts_on_the_join_day() -> None:
    # given a daily challenge from day 0; the member joined on day 10 and proved days 10 to 12
    proofs = approved_on(3, 10, 11, 12)

    # when it is day 13
    counts = progress(
        schedule=DAILY, start_date=MONDAY, due_date=day(40), joined_on=day(10), today=day(13), days=proofs
    )

    # then days before the join count nowhere (not even the proof of day 3)
    assert (counts.required, counts.approved, counts.misses, counts.current_streak) == (3, 3, 0, 3)


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

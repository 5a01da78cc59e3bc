"""Leaderboard order and winners."""

from __future__ import annotations

from resolvers.progress.rules import Counts, ranked, winners
from tests.progress.dates import standing


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

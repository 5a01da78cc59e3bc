"""Read side of progress: a challenge's leaderboard page and a member's statistics.

Leaderboard cursors hold the last row's sort key (approved, required, misses, joinedAt, and the
membership id that breaks ties), so a page continues after that key even when standings moved
in between.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from infra.errors import BadInput, Forbidden
from infra.ids import decode_cursor, encode_cursor
from infra.paging import page_size
from resolvers.challenges.rules import ChallengeStatus
from resolvers.progress.loaders import Standings
from resolvers.progress.rules import Counts, Standing

CURSOR_KIND = "leaderboard"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MAX_CURSOR_DIGITS = 20


@dataclass(frozen=True, slots=True)
class LeaderboardPage:
    rows: list[tuple[str, Standing]]  # (cursor, standing)
    total_count: int
    has_next_page: bool
    has_previous_page: bool


def _micros(moment: dt.datetime) -> int:
    delta = moment.astimezone(dt.UTC) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def leaderboard_cursor(standing: Standing) -> str:
    counts = standing.counts
    return encode_cursor(
        CURSOR_KIND,
        counts.approved,
        counts.required,
        counts.misses,
        _micros(standing.joined_at),
        standing.membership_id,
    )


def _after_key(after: str) -> tuple[Fraction, int, int, dt.datetime, int]:
    parts = decode_cursor(after, CURSOR_KIND, field="after", parts=5)
    if not all(part.isdigit() and len(part) <= MAX_CURSOR_DIGITS for part in parts):
        raise BadInput("Invalid cursor.", field="after")
    approved, required, misses, micros, membership_id = (int(part) for part in parts)
    try:
        joined_at = EPOCH + dt.timedelta(microseconds=micros)
    except OverflowError:
        raise BadInput("Invalid cursor.", field="after") from None
    counts = Counts(required=required, approved=approved, misses=misses)
    return Standing(member_id=0, membership_id=membership_id, joined_at=joined_at, counts=counts).order_key


def require_member(standings: Standings, viewer_id: int) -> None:
    if standings.of(viewer_id) is None:
        raise Forbidden("Only members of this challenge can see its leaderboard.")


def leaderboard_page(standings: Standings, *, first: int, after: str | None) -> LeaderboardPage:
    """The members after the cursor, in leaderboard order (rate desc, misses asc, approved desc,
    joinedAt asc)."""
    page_size(first, field="first")
    entries = standings.leaderboard
    if after is not None:
        key = _after_key(after)
        entries = [entry for entry in entries if entry.order_key > key]
    return LeaderboardPage(
        rows=[(leaderboard_cursor(entry), entry) for entry in entries[:first]],
        total_count=len(standings.leaderboard),
        has_next_page=len(entries) > first,
        has_previous_page=after is not None,
    )


@dataclass(frozen=True, slots=True)
class MemberStats:
    active_challenges: int
    finished_challenges: int
    average_rate: float
    best_streak: int


def member_stats(entries: Iterable[tuple[ChallengeStatus, Counts]]) -> MemberStats:
    """A member's numbers over their challenges: ONGOING and FINISHED ones make the average
    rate (1.0 when there are none); the best streak is over all of them."""
    listed = list(entries)
    rates = [counts.rate for status, counts in listed if status is not ChallengeStatus.UPCOMING]
    return MemberStats(
        active_challenges=sum(status is ChallengeStatus.ONGOING for status, _ in listed),
        finished_challenges=sum(status is ChallengeStatus.FINISHED for status, _ in listed),
        average_rate=float(sum(rates, Fraction(0)) / len(rates)) if rates else 1.0,
        best_streak=max((counts.best_streak for _, counts in listed), default=0),
    )

"""Strawberry types of challenge progress: schedules, standings, leaderboards, member stats.

Who sees what: a challenge's standings are for its members (``viewerProgress``,
``Membership.progress``, ``leaderboard``); a member's statistics for that member alone.
"""

from __future__ import annotations

import datetime as dt

import strawberry

from infra.errors import Unauthenticated
from models import challenges as models
from resolvers.challenges import rules
from resolvers.challenges.loaders import ChallengeByIdLoader, MembershipsByMemberIdLoader
from resolvers.challenges.schedule import Schedule as ScheduleRule
from resolvers.progress import queries
from resolvers.progress.loaders import ProgressByChallengeLoader, ProgressKey, Standings
from resolvers.progress.rules import Standing
from schema.context import Info
from schema.marks import PAGE, SHAREABLE, shareable
from schema.types.accounts import Member, member_by_id
from schema.types.pagination import PageInfo

SchedulePeriod = models.SchedulePeriod
strawberry.enum(SchedulePeriod, name="SchedulePeriod")
ChallengeStatus = rules.ChallengeStatus
strawberry.enum(ChallengeStatus, name="ChallengeStatus", description="By startDate/dueDate in TIMEZONE.")


@strawberry.type(description="How often members must prove progress.")
class Schedule:
    period: SchedulePeriod
    times: int = strawberry.field(description="Approved proofs required per period: DAY 1; WEEK 1-7.")

    @classmethod
    def of(cls, schedule: ScheduleRule) -> Schedule:
        return cls(period=schedule.period, times=schedule.times)


@strawberry.input
class ScheduleInput:
    period: SchedulePeriod
    times: int

    def to_rule(self) -> ScheduleRule:
        return ScheduleRule(self.period, self.times)


@strawberry.type(description="One member's standing in one challenge.")
class Progress:
    required: int = strawberry.field(description="Proofs required by the periods counted so far.")
    approved: int = strawberry.field(description="Capped approved proofs in those periods.")
    waiting: int = strawberry.field(description="Proofs still WAITING review in the window.")
    rate: float = strawberry.field(description="approved / required, 1.0 when required is 0.")
    misses: int = strawberry.field(description="Past periods not fulfilled.")
    current_streak: int = strawberry.field(
        description="Fulfilled periods in a row, ending with the current one (if fulfilled) or the "
        "last past one."
    )
    best_streak: int
    done_this_period: bool = strawberry.field(
        description="APPROVED + WAITING proofs of the current period meet its requirement."
    )
    rank: int = strawberry.field(description="1-based place in the challenge's leaderboard.")
    _member_id: strawberry.Private[int]

    @classmethod
    def of(cls, standing: Standing) -> Progress:
        counts = standing.counts
        return cls(
            required=counts.required,
            approved=counts.approved,
            waiting=counts.waiting,
            rate=float(counts.rate),
            misses=counts.misses,
            current_streak=counts.current_streak,
            best_streak=counts.best_streak,
            done_this_period=counts.done_this_period,
            rank=standing.rank,
            _member_id=standing.member_id,
        )

    @strawberry.field(metadata=SHAREABLE)
    async def member(self, info: Info) -> Member:
        return await member_by_id(info, self._member_id)


@strawberry.type
class ProgressEdge:
    cursor: str
    node: Progress


@strawberry.type
class ProgressConnection:
    edges: list[ProgressEdge] = strawberry.field(metadata=PAGE)
    page_info: PageInfo
    total_count: int

    @strawberry.field(metadata=shareable(page=True))
    def nodes(self) -> list[Progress]:
        return [edge.node for edge in self.edges]


@strawberry.type
class MemberStats:
    active_challenges: int = strawberry.field(description="ONGOING challenges the member belongs to.")
    finished_challenges: int
    average_rate: float = strawberry.field(
        description="Mean Progress.rate over the member's ONGOING and FINISHED challenges (1.0 when none)."
    )
    best_streak: int = strawberry.field(description="Best Progress.bestStreak over all challenges.")


def progress_key(
    info: Info, challenge_id: int, start_date: dt.date, due_date: dt.date, schedule: ScheduleRule
) -> ProgressKey:
    clock = info.context.services.clock
    return ProgressKey(
        challenge_id=challenge_id,
        start_date=start_date,
        due_date=due_date,
        schedule=schedule,
        today=clock.today(),
        zone=clock.zone,
    )


async def _standings(info: Info, key: ProgressKey) -> Standings:
    return await info.context.loader(ProgressByChallengeLoader).load(key)


async def viewer_progress(info: Info, key: ProgressKey) -> Progress | None:
    viewer = info.context.viewer
    if viewer is None:
        return None
    standing = (await _standings(info, key)).of(viewer.id)
    return Progress.of(standing) if standing else None


async def membership_progress(info: Info, *, challenge_id: int, member_id: int) -> Progress | None:
    viewer = info.context.viewer
    if viewer is None:
        return None
    challenge = await info.context.loader(ChallengeByIdLoader).load(challenge_id)
    if challenge is None:
        return None
    standings = await _standings(info, ProgressKey.of(challenge, info.context.services.clock))
    standing = standings.of(member_id)
    return Progress.of(standing) if standing and standings.of(viewer.id) else None


async def leaderboard(info: Info, key: ProgressKey, *, first: int, after: str | None) -> ProgressConnection:
    viewer = info.context.viewer
    if viewer is None:
        raise Unauthenticated(info.context.auth_error or None)
    standings = await _standings(info, key)
    queries.require_member(standings, viewer.id)
    page = queries.leaderboard_page(standings, first=first, after=after)
    edges = [ProgressEdge(cursor=cursor, node=Progress.of(standing)) for cursor, standing in page.rows]
    return ProgressConnection(
        edges=edges,
        page_info=PageInfo.of(
            edges, has_next_page=page.has_next_page, has_previous_page=page.has_previous_page
        ),
        total_count=page.total_count,
    )


async def member_stats(info: Info, member_id: int, *, is_self: bool) -> MemberStats | None:
    viewer = info.context.viewer
    if not is_self and (viewer is None or viewer.id != member_id):
        return None
    memberships = await info.context.loader(MembershipsByMemberIdLoader).load((member_id, None))
    challenges = await info.context.loader(ChallengeByIdLoader).load_many(
        [row.challenge_id for row in memberships]  # type: ignore[attr-defined]
    )
    clock = info.context.services.clock
    found = [challenge for challenge in challenges if challenge is not None]
    all_standings = await info.context.loader(ProgressByChallengeLoader).load_many(
        [ProgressKey.of(challenge, clock) for challenge in found]
    )
    entries = []
    for challenge, standings in zip(found, all_standings, strict=True):
        standing = standings.of(member_id)
        status = rules.status_on(clock.today(), start_date=challenge.start_date, due_date=challenge.due_date)
        if standing is not None:
            entries.append((status, standing.counts))
    stats = queries.member_stats(entries)
    return MemberStats(
        active_challenges=stats.active_challenges,
        finished_challenges=stats.finished_challenges,
        average_rate=stats.average_rate,
        best_streak=stats.best_streak,
    )

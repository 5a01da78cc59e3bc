"""Strawberry types of the challenges domain."""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, Annotated

import strawberry

from models import challenges as models
from models.accounts import Member as MemberRow
from resolvers.challenges import queries
from resolvers.challenges.loaders import (
    ChallengeByIdLoader,
    MembershipsByChallengeIdLoader,
    MembershipsByMemberIdLoader,
    fetched_member,
)
from resolvers.challenges.rules import status_on
from resolvers.challenges.schedule import Schedule as ScheduleRule
from resolvers.chat.loaders import RoomByChallengeIdLoader
from resolvers.chat.queries import ensure_room
from resolvers.progress.loaders import ProgressKey
from schema.context import Info
from schema.marks import PER_VIEWER, SEATS, SHAREABLE, shareable
from schema.permissions import IsAuthenticated
from schema.scalars import Date, DateTime
from schema.types.accounts import MEMBER_CHALLENGES_MAX, Member, member_by_id
from schema.types.chat import Room
from schema.types.progress import (
    ChallengeStatus,
    Progress,
    ProgressConnection,
    Schedule,
    leaderboard,
    membership_progress,
    progress_key,
    viewer_progress,
)

if TYPE_CHECKING:
    from schema.types.proofs import ProofConnection, ProofStatus

# The model enums are registered in place, so they are the GraphQL enums too.
Category = models.Category
ChallengerRole = models.Role
strawberry.enum(Category, name="Category")
strawberry.enum(ChallengerRole, name="ChallengerRole")
ChallengeSort = queries.ChallengeSort
strawberry.enum(ChallengeSort, name="ChallengeSort")

DEFAULT_THUMBNAILS = "/static/defaults/"


@strawberry.type
class Challenge:
    id: strawberry.ID
    title: str
    category: Category
    description: str
    start_date: Date
    due_date: Date
    frequency: str
    auth_explanation: str
    limit_attendance: int
    current_attendance: int
    created_at: DateTime
    updated_at: DateTime
    schedule: Schedule
    _schedule: strawberry.Private[ScheduleRule]
    _thumbnail: strawberry.Private[str | None]
    _leader_id: strawberry.Private[int]
    # The memberships (with members) when the list that made this object loaded them for the
    # whole page: `leader`, `memberships` and `viewerRole` then resolve synchronously, instead
    # of three coroutines awaiting the loader per challenge.
    _memberships: strawberry.Private[Sequence[models.Membership] | None] = None

    @classmethod
    def from_model(cls, challenge: models.Challenge) -> Challenge:
        schedule = ScheduleRule(challenge.schedule_period, challenge.schedule_times)
        return cls(
            id=strawberry.ID(str(challenge.id)),
            title=challenge.title,
            category=challenge.category,
            description=challenge.description,
            start_date=challenge.start_date,
            due_date=challenge.due_date,
            frequency=challenge.frequency,
            auth_explanation=challenge.auth_explanation,
            limit_attendance=challenge.limit_attendance,
            current_attendance=challenge.current_attendance,
            created_at=challenge.created_at,
            updated_at=challenge.updated_at,
            schedule=Schedule.of(schedule),
            _schedule=schedule,
            _thumbnail=challenge.thumbnail,
            _leader_id=challenge.leader_id,  # type: ignore[attr-defined]
        )

    @strawberry.field(metadata=SHAREABLE)
    def thumbnail_image_url(self, info: Info) -> str:
        if self._thumbnail is None:
            return f"{DEFAULT_THUMBNAILS}{self.category.value.lower()}.svg"
        return info.context.services.storage.url(self._thumbnail)

    def _leader_in(self, rows: Sequence[models.Membership]) -> Member | None:
        for row in rows:
            if row.member_id == self._leader_id:  # type: ignore[attr-defined]
                member = fetched_member(row)
                if member is not None:
                    return Member.from_model(member)
        return None

    async def _load_leader(self, info: Info) -> Member:
        # The leader's membership (with its member) comes with the challenge's memberships,
        # which a list usually selects anyway: no statement of its own.
        rows = await info.context.loader(MembershipsByChallengeIdLoader).load(int(self.id))
        found = self._leader_in(rows)
        if found is not None:
            return found
        return await member_by_id(info, self._leader_id)

    # Synchronous resolvers that return an awaitable only when the data is not loaded yet:
    # graphql-core awaits what needs awaiting and completes the rest in place.
    @strawberry.field(graphql_type=Member, metadata=SHAREABLE)
    def leader(self, info: Info) -> Member | Awaitable[Member]:
        if self._memberships is not None:
            found = self._leader_in(self._memberships)
            if found is not None:
                return found
        return self._load_leader(info)

    async def _load_memberships(self, info: Info) -> list[Membership]:
        rows = await info.context.loader(MembershipsByChallengeIdLoader).load(int(self.id))
        return [Membership.from_model(row) for row in rows]

    @strawberry.field(
        description="Members of the challenge, the earliest joined (the leader) first.",
        graphql_type=list["Membership"],
        metadata=shareable(max_items=SEATS),
    )
    def memberships(self, info: Info) -> list[Membership] | Awaitable[list[Membership]]:
        if self._memberships is not None:
            return [Membership.from_model(row) for row in self._memberships]
        return self._load_memberships(info)

    async def _load_viewer_role(self, info: Info, viewer_id: int) -> ChallengerRole | None:
        # From the challenge's memberships (one batched statement shared with `memberships`
        # and `leader`) rather than a query of its own.
        rows = await info.context.loader(MembershipsByChallengeIdLoader).load(int(self.id))
        return _role_of(rows, viewer_id)

    @strawberry.field(
        description="The viewer's role here; null when anonymous or not a member.",
        graphql_type=ChallengerRole | None,
        metadata=PER_VIEWER,
    )
    def viewer_role(self, info: Info) -> ChallengerRole | Awaitable[ChallengerRole | None] | None:
        viewer = info.context.viewer
        if viewer is None:
            return None
        if self._memberships is not None:
            return _role_of(self._memberships, viewer.id)
        return self._load_viewer_role(info, viewer.id)

    # Proofs domain (schema/types/proofs.py owns the logic; this block only wires the field).
    @strawberry.field(description="Proofs this viewer may see, newest first.", metadata=PER_VIEWER)
    async def proofs(
        self,
        info: Info,
        status: Annotated[ProofStatus, strawberry.lazy("schema.types.proofs")] | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> Annotated[ProofConnection, strawberry.lazy("schema.types.proofs")]:
        # Imported here: schema.types.proofs imports this module for Proof.challenge.
        from schema.types.proofs import challenge_proofs

        return await challenge_proofs(
            info,
            challenge_id=int(self.id),
            leader_id=self._leader_id,
            status=status,
            first=20 if first is None else first,
            after=after,
        )

    @strawberry.field(metadata=SHAREABLE)
    def status(self, info: Info) -> ChallengeStatus:
        today = info.context.services.clock.today()
        return status_on(today, start_date=self.start_date, due_date=self.due_date)

    @strawberry.field(description="Null unless the viewer is a member.", metadata=PER_VIEWER)
    async def viewer_progress(self, info: Info) -> Progress | None:
        return await viewer_progress(info, self._progress_key(info))

    @strawberry.field(
        description="Members only (FORBIDDEN otherwise). Order: rate desc, misses asc, approved desc, "
        "joinedAt asc.",
        permission_classes=[IsAuthenticated],
        metadata=PER_VIEWER,
    )
    async def leaderboard(
        self, info: Info, first: int | None = 10, after: str | None = None
    ) -> ProgressConnection:
        page = 10 if first is None else first
        return await leaderboard(info, self._progress_key(info), first=page, after=after)

    def _progress_key(self, info: Info) -> ProgressKey:
        return progress_key(info, int(self.id), self.start_date, self.due_date, self._schedule)

    @strawberry.field(metadata=SHAREABLE)
    async def room(self, info: Info) -> Room:
        challenge_id = int(self.id)
        room = await info.context.loader(RoomByChallengeIdLoader).load(challenge_id)
        if room is None:  # challenges made before rooms existed get theirs on first use
            room = await ensure_room(challenge_id=challenge_id)
        return Room(id=strawberry.ID(str(room.id)), _challenge_id=challenge_id)


def _role_of(rows: Sequence[models.Membership], member_id: int) -> ChallengerRole | None:
    for row in rows:
        if row.member_id == member_id:  # type: ignore[attr-defined]
            return row.role
    return None


@strawberry.type
class Membership:
    role: ChallengerRole
    joined_at: DateTime
    _member_id: strawberry.Private[int]
    _challenge_id: strawberry.Private[int]
    _member: strawberry.Private[MemberRow | None] = None

    @classmethod
    def from_model(cls, membership: models.Membership) -> Membership:
        return cls(
            role=membership.role,
            joined_at=membership.joined_at,
            _member_id=membership.member_id,  # type: ignore[attr-defined]
            _challenge_id=membership.challenge_id,  # type: ignore[attr-defined]
            _member=fetched_member(membership),
        )

    async def _load_member(self, info: Info) -> Member:
        return await member_by_id(info, self._member_id)

    @strawberry.field(graphql_type=Member, metadata=SHAREABLE)
    def member(self, info: Info) -> Member | Awaitable[Member]:
        if self._member is not None:  # selected with the membership: no query, no coroutine
            return Member.from_model(self._member)
        return self._load_member(info)

    @strawberry.field(
        description="Visible to members of the challenge; null for anyone else.", metadata=PER_VIEWER
    )
    async def progress(self, info: Info) -> Progress | None:
        return await membership_progress(info, challenge_id=self._challenge_id, member_id=self._member_id)

    @strawberry.field(metadata=SHAREABLE)
    async def challenge(self, info: Info) -> Challenge:
        challenge = await info.context.loader(ChallengeByIdLoader).load(self._challenge_id)
        assert challenge is not None  # challenge_id is a foreign key
        return Challenge.from_model(challenge)


async def memberships_of_member(info: Info, *, member_id: int, role: models.Role | None) -> list[Membership]:
    """``Member.challenges``, the newest ``MEMBER_CHALLENGES_MAX`` (a member may join any number of
    challenges): lives here so the accounts types need not import this module eagerly."""
    rows = await info.context.loader(MembershipsByMemberIdLoader).load((member_id, role))
    return [Membership.from_model(row) for row in rows[:MEMBER_CHALLENGES_MAX]]

"""Strawberry types of the accounts domain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from models import accounts as models
from resolvers.accounts.loaders import MemberByIdLoader
from resolvers.accounts.queries import Availability as AvailabilityResult
from resolvers.accounts.sessions import SignedIn
from schema.context import Info
from schema.marks import PER_VIEWER, SENSITIVE, SHAREABLE, shareable
from schema.scalars import DateTime

if TYPE_CHECKING:
    from schema.types.challenges import ChallengerRole, Membership
    from schema.types.progress import MemberStats

DEFAULT_PROFILE_IMAGE = "/static/defaults/profile.svg"
# Member.challenges lists at most this many, the newest: a member may join any number of challenges.
MEMBER_CHALLENGES_MAX = 100


@strawberry.type
class Member:
    id: strawberry.ID
    nickname: str
    bricks_count: int
    is_social_member: bool
    created_at: DateTime
    _profile_image: strawberry.Private[str | None]
    _email: strawberry.Private[str | None]
    # True when this object was built for the member themself (e.g. in their AuthPayload,
    # before the request carries their token).
    _is_self: strawberry.Private[bool] = False

    @classmethod
    def from_model(cls, member: models.Member, *, is_self: bool = False) -> Member:
        return cls(
            id=strawberry.ID(str(member.id)),
            nickname=member.nickname,
            bricks_count=member.bricks_count,
            is_social_member=member.is_social,
            created_at=member.created_at,
            _profile_image=member.profile_image,
            _email=member.email,
            _is_self=is_self,
        )

    @strawberry.field(metadata=SHAREABLE)
    def profile_image_url(self, info: Info) -> str:
        if self._profile_image is None:
            return DEFAULT_PROFILE_IMAGE
        return info.context.services.storage.url(self._profile_image)

    @strawberry.field(description="Only the member themself sees it; null for others.", metadata=PER_VIEWER)
    def email(self, info: Info) -> str | None:
        viewer = info.context.viewer
        if self._is_self or (viewer is not None and str(viewer.id) == self.id):
            return self._email
        return None

    @strawberry.field(
        description=(
            f"My page: the member's challenges, the newest challenge first (at most {MEMBER_CHALLENGES_MAX})."
        ),
        metadata=shareable(max_items=MEMBER_CHALLENGES_MAX),
    )
    async def challenges(
        self,
        info: Info,
        role: Annotated[ChallengerRole, strawberry.lazy("schema.types.challenges")] | None = None,
    ) -> list[Annotated[Membership, strawberry.lazy("schema.types.challenges")]]:
        # Imported here: the challenges types import this module.
        from schema.types.challenges import memberships_of_member

        return await memberships_of_member(info, member_id=int(self.id), role=role)

    @strawberry.field(description="Only the member themself sees it; null for others.", metadata=PER_VIEWER)
    async def stats(
        self, info: Info
    ) -> Annotated[MemberStats, strawberry.lazy("schema.types.progress")] | None:
        # Imported here: the progress types import this module.
        from schema.types.progress import member_stats

        return await member_stats(info, int(self.id), is_self=self._is_self)


async def member_by_id(info: Info, member_id: int) -> Member:
    """The member a row points at (a foreign key, so it exists), through the request's loader."""
    member = await info.context.loader(MemberByIdLoader).load(member_id)
    assert member is not None
    return Member.from_model(member)


@strawberry.type
class AuthPayload:
    access_token: str
    refresh_token: str
    access_token_expires_at: DateTime
    member: Member

    @classmethod
    def from_session(cls, session: SignedIn) -> AuthPayload:
        return cls(
            access_token=session.access_token,
            refresh_token=session.refresh_token,
            access_token_expires_at=session.access_token_expires_at,
            member=Member.from_model(session.member, is_self=True),
        )


@strawberry.type
class Availability:
    available: bool
    reason: str | None = strawberry.field(
        default=None, description="Why not: invalid format, too short, taken, ..."
    )

    @classmethod
    def from_result(cls, result: AvailabilityResult) -> Availability:
        return cls(available=result.available, reason=result.reason)


@strawberry.input
class SignUpInput:
    email: str
    password: str = strawberry.field(
        description="8-15 chars with a letter, a digit and one of @$!%*#?&", metadata=SENSITIVE
    )
    nickname: str = strawberry.field(description="3-10 chars, unique")
    verification_code: str = strawberry.field(
        description="The 6-digit code sent by requestEmailVerification", metadata=SENSITIVE
    )

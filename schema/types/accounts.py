"""Strawberry types of the accounts domain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from models import accounts as models
from schema.context import Info
from schema.scalars import DateTime

if TYPE_CHECKING:
    from schema.types.challenges import ChallengerRole, Membership

DEFAULT_PROFILE_IMAGE = "/static/defaults/profile.svg"


@strawberry.type
class Member:
    id: strawberry.ID
    nickname: str
    bricks_count: int
    is_social_member: bool
    created_at: DateTime
    _profile_image: strawberry.Private[str | None]

    @classmethod
    def from_model(cls, member: models.Member) -> Member:
        return cls(
            id=strawberry.ID(str(member.id)),
            nickname=member.nickname,
            bricks_count=member.bricks_count,
            is_social_member=member.is_social,
            created_at=member.created_at,
            _profile_image=member.profile_image,
            _email=member.email,
        )

    _email: strawberry.Private[str | None]

    @strawberry.field
    def profile_image_url(self, info: Info) -> str:
        if self._profile_image is None:
            return DEFAULT_PROFILE_IMAGE
        return info.context.services.storage.url(self._profile_image)

    @strawberry.field(description="Only the member themself sees it; null for others.")
    def email(self, info: Info) -> str | None:
        viewer = info.context.viewer
        return self._email if viewer is not None and str(viewer.id) == self.id else None

    @strawberry.field(description="My page: the member's challenges, the newest challenge first.")
    async def challenges(
        self,
        info: Info,
        role: Annotated[ChallengerRole, strawberry.lazy("schema.types.challenges")] | None = None,
    ) -> list[Annotated[Membership, strawberry.lazy("schema.types.challenges")]]:
        # Imported here: the challenges types import this module.
        from schema.types.challenges import memberships_of_member

        return await memberships_of_member(info, member_id=int(self.id), role=role)

"""Strawberry types of the challenges domain."""

from __future__ import annotations

import strawberry

from models import challenges as models
from resolvers.accounts.loaders import MemberByIdLoader
from resolvers.chat.loaders import RoomByChallengeIdLoader
from resolvers.chat.queries import ensure_room
from schema.context import Info
from schema.scalars import Date, DateTime
from schema.types.accounts import Member
from schema.types.chat import Room

Category = strawberry.enum(models.Category, name="Category")
ChallengerRole = strawberry.enum(models.Role, name="ChallengerRole")

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
    _thumbnail: strawberry.Private[str | None]
    _leader_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, challenge: models.Challenge) -> Challenge:
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
            _thumbnail=challenge.thumbnail,
            _leader_id=challenge.leader_id,  # type: ignore[attr-defined]
        )

    @strawberry.field
    def thumbnail_image_url(self, info: Info) -> str:
        if self._thumbnail is None:
            return f"{DEFAULT_THUMBNAILS}{self.category.value.lower()}.svg"
        return info.context.services.storage.url(self._thumbnail)

    @strawberry.field
    async def leader(self, info: Info) -> Member:
        member = await info.context.loader(MemberByIdLoader).load(self._leader_id)
        assert member is not None  # leader_id is a foreign key
        return Member.from_model(member)

    @strawberry.field
    async def room(self, info: Info) -> Room:
        challenge_id = int(self.id)
        room = await info.context.loader(RoomByChallengeIdLoader).load(challenge_id)
        if room is None:  # challenges made before rooms existed get theirs on first use
            room = await ensure_room(challenge_id=challenge_id)
        return Room(id=strawberry.ID(str(room.id)), _challenge_id=challenge_id)

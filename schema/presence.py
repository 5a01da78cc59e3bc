"""Root fields of a room's live presence: the viewer's study status and typing indicator.

Both need a live ``roomEvents`` subscription of the viewer in the room, on any instance (CONFLICT
otherwise; FORBIDDEN for a non-member, NOT_FOUND for no such challenge), and neither is stored.
"""

from __future__ import annotations

import strawberry

from infra.errors import BadInput
from infra.ids import parse_id
from resolvers.chat import status as statuses
from resolvers.chat import typing as typists
from schema.context import Info
from schema.permissions import IsAuthenticated
from schema.types.presence import Presence, PresenceStatus, presences


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description=(
            "Needs a live roomEvents subscription of the viewer in that room, else CONFLICT. "
            "Announced to the room as a STATUS event; the status ends with the viewer's presence."
        ),
    )
    async def set_presence_status(
        self, info: Info, challenge_id: strawberry.ID, status: PresenceStatus
    ) -> Presence:
        own = await statuses.set_presence_status(
            services=info.context.services,
            viewer=info.context.require_viewer(),
            challenge_id=parse_id(challenge_id, field="challengeId"),
            status=status,
        )
        (presence,) = await presences(info, [own])
        return presence

    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description=(
            "Live only, rate limited (LIMIT_SET_TYPING). Needs a live roomEvents subscription of the "
            "viewer in that room, else CONFLICT. Tells the room's other subscribers (TYPING) and keeps "
            "the viewer in Room.typingMembers for TYPING_TTL seconds; returns `typing`."
        ),
    )
    async def set_typing(self, info: Info, challenge_id: strawberry.ID, typing: bool | None = True) -> bool:
        if typing is None:
            raise BadInput("typing is true or false.", field="typing")
        return await typists.set_typing(
            services=info.context.services,
            viewer=info.context.require_viewer(),
            challenge_id=parse_id(challenge_id, field="challengeId"),
            typing=typing,
        )

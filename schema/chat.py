"""Root fields of the chat domain: the room query and the message mutations."""

from __future__ import annotations

import strawberry

from infra.ids import parse_id
from resolvers.chat import mutations, queries
from schema.context import Info
from schema.permissions import IsAuthenticated
from schema.types.chat import Message, Room


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="A challenge's chat room (members only); null when the challenge does not exist.",
    )
    async def room(self, info: Info, challenge_id: strawberry.ID) -> Room | None:
        challenge_pk = parse_id(challenge_id, field="challengeId")
        if not await queries.challenge_exists(challenge_id=challenge_pk):
            return None
        await queries.require_member(viewer=info.context.require_viewer(), challenge_id=challenge_pk)
        room = await queries.ensure_room(challenge_id=challenge_pk)
        return Room(id=strawberry.ID(str(room.id)), _challenge_id=challenge_pk)


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="clientMessageId makes retries idempotent.",
    )
    async def send_message(
        self, info: Info, challenge_id: strawberry.ID, body: str, client_message_id: str | None = None
    ) -> Message:
        challenge_pk = parse_id(challenge_id, field="challengeId")
        sent = await mutations.send_message(
            services=info.context.services,
            viewer=info.context.require_viewer(),
            challenge_id=challenge_pk,
            body=body,
            client_message_id=client_message_id,
        )
        return Message.from_snapshot(sent)

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def delete_message(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        deleted = await mutations.delete_message(
            services=info.context.services, viewer=info.context.require_viewer(), message_id=parse_id(id)
        )
        return strawberry.ID(str(deleted))

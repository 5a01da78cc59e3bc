"""Root fields of the chat domain: the room queries and the message mutations."""

from __future__ import annotations

import strawberry

from infra.ids import parse_id
from resolvers.chat import edit_message, mutations, pin_message, queries, react_to_message, reads
from schema.context import Info
from schema.permissions import IsAuthenticated
from schema.types.chat import Message, Room, parse_room_cursor
from schema.types.pagination import PageInfo
from schema.types.room_connection import RoomConnection, RoomEdge, my_room_cursor, parse_my_room_cursor


def _room(room_id: int, challenge_id: int) -> Room:
    return Room(id=strawberry.ID(str(room_id)), _challenge_id=challenge_id)


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
        return _room(room.id, challenge_pk)

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Rooms of the viewer's challenges, latest activity first.",
    )
    async def my_rooms(self, info: Info, first: int | None = 20, after: str | None = None) -> RoomConnection:
        rows, has_next, total = await reads.my_rooms(
            viewer=info.context.require_viewer(),
            first=20 if first is None else first,  # an explicit null means the default
            after_room_id=parse_my_room_cursor(after) if after else None,
        )
        edges = [RoomEdge(cursor=my_room_cursor(row.room_id), node=_room(*row)) for row in rows]
        return RoomConnection(
            edges=edges,
            total_count=total,
            page_info=PageInfo.of(edges, has_next_page=has_next, has_previous_page=after is not None),
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="clientMessageId makes retries idempotent, per member and room.",
    )
    async def send_message(
        self,
        info: Info,
        challenge_id: strawberry.ID,
        body: str,
        client_message_id: str | None = None,
        reply_to_id: strawberry.ID | None = None,
    ) -> Message:
        challenge_pk = parse_id(challenge_id, field="challengeId")
        sent = await mutations.send_message(
            services=info.context.services,
            viewer=info.context.require_viewer(),
            challenge_id=challenge_pk,
            body=body,
            client_message_id=client_message_id,
            reply_to_id=parse_id(reply_to_id, field="replyToId") if reply_to_id is not None else None,
        )
        return Message.from_snapshot(sent)

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def delete_message(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        deleted = await mutations.delete_message(
            services=info.context.services, viewer=info.context.require_viewer(), message_id=parse_id(id)
        )
        return strawberry.ID(str(deleted))

    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="Sender only, within EDIT_WINDOW (900 s) of sending.",
    )
    async def edit_message(self, info: Info, id: strawberry.ID, body: str) -> Message:
        edited = await edit_message.edit_message(
            services=info.context.services,
            viewer=info.context.require_viewer(),
            message_id=parse_id(id),
            body=body,
        )
        return Message.from_snapshot(edited)

    @strawberry.mutation(
        permission_classes=[IsAuthenticated], description="Members; one emoji grapheme; idempotent."
    )
    async def react_to_message(
        self, info: Info, id: strawberry.ID, emoji: str, reacted: bool | None = True
    ) -> Message:
        message = await react_to_message.react_to_message(
            services=info.context.services,
            viewer=info.context.require_viewer(),
            message_id=parse_id(id),
            emoji=emoji,
            reacted=reacted is not False,  # an explicit null means the default
        )
        return Message.from_snapshot(message)

    @strawberry.mutation(permission_classes=[IsAuthenticated], description="Leader only; null unpins.")
    async def pin_message(
        self, info: Info, challenge_id: strawberry.ID, message_id: strawberry.ID | None = None
    ) -> Room:
        challenge_pk = parse_id(challenge_id, field="challengeId")
        room = await pin_message.pin_message(
            services=info.context.services,
            viewer=info.context.require_viewer(),
            challenge_id=challenge_pk,
            message_id=parse_id(message_id, field="messageId") if message_id is not None else None,
        )
        return _room(room.id, challenge_pk)

    @strawberry.mutation(
        permission_classes=[IsAuthenticated], description="Moves the viewer's read position forward only."
    )
    async def mark_room_read(self, info: Info, challenge_id: strawberry.ID, cursor: str) -> Room:
        challenge_pk = parse_id(challenge_id, field="challengeId")
        viewer = info.context.require_viewer()
        await reads.mark_room_read(
            viewer=viewer,
            challenge_id=challenge_pk,
            seq=parse_room_cursor(cursor, challenge_id=challenge_pk, field="cursor"),
        )
        room = await queries.ensure_room(challenge_id=challenge_pk)
        return _room(room.id, challenge_pk)

"""Strawberry types of the chat domain: rooms and messages (room events: ``room_event.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from events import room as room_events
from infra.errors import BadInput, Forbidden
from infra.ids import cursor_number, decode_cursor, encode_cursor
from models import chat as models
from resolvers.accounts.loaders import MemberByIdLoader
from resolvers.challenges.loaders import ChallengeByIdLoader
from resolvers.chat import queries, status, typing
from resolvers.chat.loaders import (
    LastMessageByChallengeIdLoader,
    MessageByIdLoader,
    ReactionCountsByMessageIdLoader,
    ReadStateByChallengeIdLoader,
    RoomByChallengeIdLoader,
)
from resolvers.chat.react_to_message import MAX_DISTINCT_EMOJI
from resolvers.chat.reads import UNREAD_CAP, ReadState
from schema.context import Info
from schema.marks import PAGE, PER_VIEWER, SEATS, SHAREABLE, per_viewer, shareable
from schema.scalars import DateTime
from schema.types.accounts import Member, member_by_id
from schema.types.pagination import PageInfo
from schema.types.presence import Presence, presences
from schema.types.reactions import ReactionCount

if TYPE_CHECKING:
    from schema.types.challenges import Challenge

RoomEventType = room_events.RoomEventType
strawberry.enum(RoomEventType, name="RoomEventType")

CURSOR_KIND = "room"


def room_cursor(challenge_id: int, seq: int) -> str:
    """A position in a room's log; only valid for that room."""
    return encode_cursor(CURSOR_KIND, challenge_id, seq)


def parse_room_cursor(cursor: str, *, challenge_id: int, field: str) -> int:
    """The seq behind a cursor of this room's log (``BAD_USER_INPUT`` naming ``field``)."""
    room, seq = decode_cursor(cursor, CURSOR_KIND, field=field, parts=2)
    if room != str(challenge_id):
        raise BadInput("Invalid cursor for this room.", field=field)
    return cursor_number(seq, field=field)


def member_from_snapshot(snapshot: room_events.MemberSnapshot) -> Member:
    return Member(
        id=strawberry.ID(str(snapshot.id)),
        nickname=snapshot.nickname,
        bricks_count=snapshot.bricks_count,
        is_social_member=snapshot.is_social,
        created_at=snapshot.created_at,
        _profile_image=snapshot.profile_image,
        _email=snapshot.email,
    )


async def load_members(info: Info, member_ids: list[int] | tuple[int, ...]) -> list[Member]:
    rows = await info.context.loader(MemberByIdLoader).load_many(list(member_ids))
    return [Member.from_model(row) for row in rows if row is not None]


@strawberry.type
class Message:
    id: strawberry.ID
    cursor: str = strawberry.field(
        description="Pass as `after` to roomEvents to resume right after this message."
    )
    body: str
    created_at: DateTime
    edited_at: DateTime | None = strawberry.field(description="Set by editMessage.")
    _challenge_id: strawberry.Private[int]
    _sender_id: strawberry.Private[int]
    _reply_to_id: strawberry.Private[int | None]
    _sender: strawberry.Private[room_events.MemberSnapshot | None] = None

    @classmethod
    def from_model(cls, message: models.Message, *, challenge_id: int) -> Message:
        return cls(
            id=strawberry.ID(str(message.id)),
            cursor=room_cursor(challenge_id, message.seq),
            body=message.body,
            created_at=message.created_at,
            edited_at=message.edited_at,
            _challenge_id=challenge_id,
            _sender_id=message.sender_id,  # type: ignore[attr-defined]
            _reply_to_id=message.reply_to_id,
        )

    @classmethod
    def from_snapshot(cls, message: room_events.MessageSnapshot) -> Message:
        return cls(
            id=strawberry.ID(str(message.id)),
            cursor=room_cursor(message.challenge_id, message.seq),
            body=message.body,
            created_at=message.created_at,
            edited_at=message.edited_at,
            _challenge_id=message.challenge_id,
            _sender_id=message.sender.id,
            _reply_to_id=message.reply_to_id,
            _sender=message.sender,
        )

    @strawberry.field(
        description="The message this one answers (null if none or deleted).", metadata=SHAREABLE
    )
    async def reply_to(self, info: Info) -> Message | None:
        if self._reply_to_id is None:
            return None
        row = await info.context.loader(MessageByIdLoader).load(self._reply_to_id)
        if row is None or row.deleted_at is not None:
            return None
        return Message.from_model(row, challenge_id=self._challenge_id)

    @strawberry.field(
        description="One entry per emoji with at least one reaction, most used first.",
        # The counts are the same for every viewer; ReactionCount.viewerReacted is per viewer.
        metadata=shareable(max_items=MAX_DISTINCT_EMOJI),
    )
    async def reactions(self, info: Info) -> list[ReactionCount]:
        key = (info.context.require_viewer().id, int(self.id))
        rows = await info.context.loader(ReactionCountsByMessageIdLoader).load(key)
        return [ReactionCount.of(row) for row in rows]

    @strawberry.field(metadata=SHAREABLE)
    async def sender(self, info: Info) -> Member:
        if self._sender is not None:  # live events carry their sender: no database read
            return member_from_snapshot(self._sender)
        return await member_by_id(info, self._sender_id)


@strawberry.type
class MessageEdge:
    cursor: str
    node: Message


@strawberry.type
class MessageConnection:
    edges: list[MessageEdge] = strawberry.field(metadata=PAGE)
    nodes: list[Message] = strawberry.field(metadata=PAGE)
    page_info: PageInfo


@strawberry.type(description="The chat room of a challenge. Only members of the challenge can read or post.")
class Room:
    id: strawberry.ID
    _challenge_id: strawberry.Private[int]

    @strawberry.field(metadata=SHAREABLE)
    async def challenge(self, info: Info) -> Annotated[Challenge, strawberry.lazy("schema.types.challenges")]:
        # Imported here: schema.types.challenges imports this module (Challenge.room).
        from schema.types.challenges import Challenge

        challenge = await info.context.loader(ChallengeByIdLoader).load(self._challenge_id)
        assert challenge is not None  # a room's challenge_id is a foreign key
        return Challenge.from_model(challenge)

    @strawberry.field(description="History, oldest first within the page.", metadata=PER_VIEWER)
    async def messages(
        self, info: Info, last: int | None = 50, before: str | None = None
    ) -> MessageConnection:
        viewer = info.context.require_viewer()
        before_seq = (
            parse_room_cursor(before, challenge_id=self._challenge_id, field="before") if before else None
        )
        rows, has_previous = await queries.message_page(
            viewer=viewer,
            challenge_id=self._challenge_id,
            last=50 if last is None else last,
            before_seq=before_seq,
        )
        nodes = [Message.from_model(row, challenge_id=self._challenge_id) for row in rows]
        return MessageConnection(
            edges=[MessageEdge(cursor=node.cursor, node=node) for node in nodes],
            nodes=nodes,
            # Paging backwards: newer pages are not looked up (Relay allows false here).
            page_info=PageInfo.of(nodes, has_next_page=False, has_previous_page=has_previous),
        )

    @strawberry.field(
        description="Members with a live roomEvents subscription, on any server instance.",
        metadata=per_viewer(max_items=SEATS),  # members only
    )
    async def online_members(self, info: Info) -> list[Member]:
        viewer = info.context.require_viewer()
        await queries.require_member(viewer=viewer, challenge_id=self._challenge_id)
        online = await info.context.services.presence.online(self._challenge_id)
        return await load_members(info, online[:SEATS])

    async def _read_state(self, info: Info) -> ReadState:
        """The viewer's read state, batched over every room of the operation; it doubles as
        the membership check of the fields below (FORBIDDEN / NOT_FOUND for others)."""
        viewer = info.context.require_viewer()
        state = await info.context.loader(ReadStateByChallengeIdLoader).load((viewer.id, self._challenge_id))
        if state is None:
            await queries.require_member(viewer=viewer, challenge_id=self._challenge_id)
            raise Forbidden("Only members of this challenge can use its chat room.")
        return state

    @strawberry.field(metadata=PER_VIEWER)  # members only
    async def pinned_message(self, info: Info) -> Message | None:
        await self._read_state(info)
        room = await info.context.loader(RoomByChallengeIdLoader).load(self._challenge_id)
        pinned = room.pinned_message_id if room else None
        row = await info.context.loader(MessageByIdLoader).load(pinned) if pinned else None
        if row is None or row.deleted_at is not None:
            return None
        return Message.from_model(row, challenge_id=self._challenge_id)

    @strawberry.field(metadata=PER_VIEWER)  # members only
    async def last_message(self, info: Info) -> Message | None:
        await self._read_state(info)
        row = await info.context.loader(LastMessageByChallengeIdLoader).load(self._challenge_id)
        return Message.from_model(row, challenge_id=self._challenge_id) if row else None

    @strawberry.field(
        description=(
            "Messages after the viewer's read position that others sent (no position yet: since "
            f"the viewer joined), at most {UNREAD_CAP}."
        ),
        metadata=PER_VIEWER,
    )
    async def unread_count(self, info: Info) -> int:
        return (await self._read_state(info)).unread

    @strawberry.field(description="The viewer's read position (markRoomRead).", metadata=PER_VIEWER)
    async def last_read_cursor(self, info: Info) -> str | None:
        read_seq = (await self._read_state(info)).read_seq
        return room_cursor(self._challenge_id, read_seq) if read_seq is not None else None

    @strawberry.field(
        description="The online members with their status, on any instance.",
        metadata=per_viewer(max_items=SEATS),  # members only
    )
    async def presence(self, info: Info) -> list[Presence]:
        viewer, services = info.context.require_viewer(), info.context.services
        statuses = await status.room_presence(
            services=services, viewer=viewer, challenge_id=self._challenge_id
        )
        return await presences(info, statuses[:SEATS])

    @strawberry.field(
        description=(
            "Members who called setTyping(true) in the last TYPING_TTL (5 s) seconds, the viewer excluded."
        ),
        metadata=per_viewer(max_items=SEATS),  # members only, and never the viewer
    )
    async def typing_members(self, info: Info) -> list[Member]:
        viewer, services = info.context.require_viewer(), info.context.services
        typists = await typing.typing_members(
            services=services, viewer=viewer, challenge_id=self._challenge_id
        )
        return await load_members(info, typists[:SEATS])

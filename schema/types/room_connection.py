"""The viewer's rooms as a Relay connection (myRooms)."""

from __future__ import annotations

import strawberry

from infra.ids import decode_int_cursor, encode_cursor
from schema.marks import PAGE, shareable
from schema.types.chat import Room
from schema.types.pagination import PageInfo

CURSOR_KIND = "my-room"


def my_room_cursor(room_id: int) -> str:
    """A position in the viewer's rooms: after this room, in the order of its activity now."""
    return encode_cursor(CURSOR_KIND, room_id)


def parse_my_room_cursor(cursor: str) -> int:
    return decode_int_cursor(cursor, CURSOR_KIND, field="after")


@strawberry.type
class RoomEdge:
    cursor: str
    node: Room


@strawberry.type
class RoomConnection:
    edges: list[RoomEdge] = strawberry.field(metadata=PAGE)
    page_info: PageInfo
    total_count: int

    @strawberry.field(metadata=shareable(page=True))
    def nodes(self) -> list[Room]:
        return [edge.node for edge in self.edges]

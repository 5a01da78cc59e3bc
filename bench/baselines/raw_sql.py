"""HTTP baselines on raw SQL + orjson in a bare Starlette app (same database, same driver).

``POST /challenges``: the JSON our ``challenges(first: 12)`` list query returns, from two SQL
statements. ``POST /send``: raw INSERT of a message (taking the room's next sequence number)
then a broadcaster PUBLISH, as ``sendMessage`` does at its core.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
from broadcaster import Broadcast
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from infra import db
from infra.settings import Settings, get_settings
from infra.tokens import InvalidToken, decode_access_token
from web.credentials import bearer_token

CHALLENGES_SQL = (
    "SELECT c.id, c.title, c.category, c.description, c.start_date, c.due_date, c.frequency,"
    " c.auth_explanation, c.limit_attendance, c.current_attendance, c.created_at,"
    " m.id AS leader_id, m.nickname AS leader_nickname"
    " FROM challenge c JOIN member m ON m.id = c.leader_id"
    " ORDER BY c.created_at DESC, c.id DESC LIMIT 12"
)
MEMBERSHIPS_SQL = (
    "SELECT ms.challenge_id, ms.role, ms.joined_at, m.id AS member_id, m.nickname"
    " FROM membership ms JOIN member m ON m.id = ms.member_id"
    " WHERE ms.challenge_id IN ({}) ORDER BY ms.challenge_id, ms.joined_at, ms.id"
)
Memberships = dict[int, list[dict[str, Any]]]


def challenge_node(row: dict[str, Any], memberships: Memberships, roles: dict[int, str]) -> dict[str, Any]:
    """One challenge as our list query returns it, from a ``CHALLENGES_SQL`` row."""
    return {
        "id": str(row["id"]),
        "title": row["title"],
        "category": row["category"],
        "description": row["description"],
        "startDate": row["start_date"],
        "dueDate": row["due_date"],
        "frequency": row["frequency"],
        "authExplanation": row["auth_explanation"],
        "limitAttendance": row["limit_attendance"],
        "currentAttendance": row["current_attendance"],
        "createdAt": row["created_at"],
        "leader": {"id": str(row["leader_id"]), "nickname": row["leader_nickname"]},
        "memberships": memberships[row["id"]],
        "viewerRole": roles.get(row["id"]),
    }


async def health(request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


class RawSqlServer:
    """The database and broadcaster connections the handlers share, and the SQL dialect's placeholders."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.broadcast = Broadcast(settings.bus_url)
        self.sqlite = settings.is_sqlite

    def placeholders(self, count: int, start: int = 1) -> list[str]:
        return ["?"] * count if self.sqlite else [f"${n}" for n in range(start, start + count)]

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        await db.open_database(self.settings)
        await self.broadcast.connect()
        try:
            yield
        finally:
            await self.broadcast.disconnect()
            await db.close_database()

    def viewer_id(self, request: Request) -> int | None:
        token = bearer_token(request.headers.get("authorization"))
        if token is None:
            return None
        try:
            return decode_access_token(token, self.settings).id
        except InvalidToken:
            return None

    async def memberships(
        self, connection: BaseDBAsyncClient, ids: list[int], viewer: int | None
    ) -> tuple[Memberships, dict[int, str]]:
        """Each challenge's memberships, and the viewer's role in the challenges they joined."""
        memberships: Memberships = {i: [] for i in ids}
        roles: dict[int, str] = {}
        if ids:
            sql = MEMBERSHIPS_SQL.format(", ".join(self.placeholders(len(ids))))
            for row in await connection.execute_query_dict(sql, ids):
                memberships[row["challenge_id"]].append(
                    {
                        "role": row["role"],
                        "joinedAt": row["joined_at"],
                        "member": {"id": str(row["member_id"]), "nickname": row["nickname"]},
                    }
                )
                if row["member_id"] == viewer:
                    roles[row["challenge_id"]] = row["role"]
        return memberships, roles

    async def challenges(self, request: Request) -> Response:
        viewer = self.viewer_id(request)
        connection = connections.get("default")
        rows = await connection.execute_query_dict(CHALLENGES_SQL)
        memberships, roles = await self.memberships(connection, [row["id"] for row in rows], viewer)
        nodes = [challenge_node(row, memberships, roles) for row in rows]
        body = orjson.dumps({"data": {"challenges": {"nodes": nodes}}})
        return Response(body, media_type="application/json")

    async def send(self, request: Request) -> Response:
        viewer = self.viewer_id(request)
        if viewer is None:
            return Response(b'{"errors":[{"message":"unauthenticated"}]}', media_type="application/json")
        data = orjson.loads(await request.body())
        room_id, body = int(data["roomId"]), str(data["body"])
        now = datetime.now(UTC)
        (one,) = self.placeholders(1)
        p = self.placeholders(5)
        async with in_transaction() as connection:
            bumped = await connection.execute_query_dict(
                f"UPDATE room SET last_seq = last_seq + 1 WHERE id = {one} RETURNING last_seq", [room_id]
            )
            seq = bumped[0]["last_seq"]
            inserted = await connection.execute_query_dict(
                f"INSERT INTO message (room_id, seq, sender_id, body, created_at)"
                f" VALUES ({', '.join(p)}) RETURNING id",
                [room_id, seq, viewer, body, now if not self.sqlite else now.isoformat()],
            )
            message_id = inserted[0]["id"]
        event = {"type": "MESSAGE", "seq": seq, "messageId": message_id, "senderId": viewer, "body": body}
        await self.broadcast.publish(f"room:{data['challengeId']}", orjson.dumps(event).decode())
        return Response(
            orjson.dumps({"data": {"sendMessage": {"id": str(message_id)}}}), media_type="application/json"
        )


def create_app() -> Starlette:
    server = RawSqlServer(get_settings())
    return Starlette(
        routes=[
            Route("/health", health),
            Route("/challenges", server.challenges, methods=["GET", "POST"]),
            Route("/send", server.send, methods=["POST"]),
        ],
        lifespan=server.lifespan,
    )

"""Chat fan-out baseline: bare broadcaster + a bare Starlette WebSocket endpoint.

Every subscriber gets its own broadcaster subscription and the same graphql-transport-ws
``next`` frame our ``roomEvents`` sends, serialised per subscriber: the naive-but-bare design.
``POST /publish`` stands in for ``sendMessage`` (it only publishes; nothing is stored).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
from broadcaster import Broadcast
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from infra.settings import get_settings

PROTOCOL = "graphql-transport-ws"


def message_event(number: int, data: dict[str, Any]) -> dict[str, Any]:
    """The ``MESSAGE`` room event our ``roomEvents`` sends for a message numbered ``number``."""
    now = datetime.now(UTC).isoformat()
    cursor = base64.urlsafe_b64encode(f"m:{number}".encode()).decode()
    return {
        "type": "MESSAGE",
        "cursor": cursor,
        "at": now,
        "message": {
            "id": str(number),
            "cursor": cursor,
            "body": data["body"],
            "createdAt": now,
            "sender": {"id": str(data["senderId"]), "nickname": data["nickname"]},
        },
    }


async def handshake(websocket: WebSocket) -> tuple[str, str] | None:
    """Accept, ack the ``connection_init`` and read the ``subscribe``: (operation id, channel)."""
    await websocket.accept(subprotocol=PROTOCOL)
    try:
        init = orjson.loads(await websocket.receive_text())
        if init.get("type") != "connection_init":
            await websocket.close(4400)
            return None
        await websocket.send_text('{"type":"connection_ack"}')
        start = orjson.loads(await websocket.receive_text())
        return start["id"], f"room:{start['payload']['variables']['challengeId']}"
    except WebSocketDisconnect:
        return None


async def health(request: Request) -> Response:
    return Response(b'{"status":"ok"}', media_type="application/json")


class BroadcastServer:
    """One broadcaster shared by every connection, and the message numbers ``/publish`` hands out."""

    def __init__(self, bus_url: str) -> None:
        self.broadcast = Broadcast(bus_url)
        self.ids = itertools.count(1)
        self.entering = asyncio.Lock()

    @asynccontextmanager
    async def lifespan(self, app: Starlette) -> AsyncIterator[None]:
        await self.broadcast.connect()
        try:
            # broadcaster 0.3.1's Redis backend loses its listener when the first subscription
            # races it (it then never delivers); one subscription held for the app's life avoids it.
            async with self.broadcast.subscribe("bench:keepalive"):
                yield
        finally:
            await self.broadcast.disconnect()

    async def publish(self, request: Request) -> Response:
        data = orjson.loads(await request.body())
        number = next(self.ids)
        event = message_event(number, data)
        await self.broadcast.publish(f"room:{data['challengeId']}", orjson.dumps(event).decode())
        reply = orjson.dumps({"data": {"sendMessage": {"id": str(number)}}})
        return Response(reply, media_type="application/json")

    async def subscribe(self, websocket: WebSocket) -> None:
        started = await handshake(websocket)
        if started is None:
            return
        sender = asyncio.create_task(self.forward(websocket, *started))
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender

    async def forward(self, websocket: WebSocket, operation_id: str, channel: str) -> None:
        async with contextlib.AsyncExitStack() as stack:
            # broadcaster 0.3.1 loses all but one of several *concurrent* first subscribers
            # of a channel on Redis (each overwrites the channel's queue set): enter one at a time.
            async with self.entering:
                subscriber = await stack.enter_async_context(self.broadcast.subscribe(channel))
            async for message in subscriber:  # type: ignore[union-attr]
                if message is None:
                    continue
                frame = {
                    "id": operation_id,
                    "type": "next",
                    "payload": {"data": {"roomEvents": orjson.loads(message.message)}},
                }
                await websocket.send_text(orjson.dumps(frame).decode())


def create_app() -> Starlette:
    server = BroadcastServer(get_settings().bus_url)
    return Starlette(
        routes=[
            Route("/health", health),
            Route("/publish", server.publish, methods=["POST"]),
            WebSocketRoute("/graphql", server.subscribe),
        ],
        lifespan=server.lifespan,
    )

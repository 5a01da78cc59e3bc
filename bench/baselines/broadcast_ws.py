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

import orjson
from broadcaster import Broadcast
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from infra.settings import get_settings

PROTOCOL = "graphql-transport-ws"


def create_app() -> Starlette:
    settings = get_settings()
    broadcast = Broadcast(settings.bus_url)
    ids = itertools.count(1)
    entering = asyncio.Lock()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await broadcast.connect()
        try:
            # broadcaster 0.3.1's Redis backend loses its listener when the first subscription
            # races it (it then never delivers); one subscription held for the app's life avoids it.
            async with broadcast.subscribe("bench:keepalive"):
                yield
        finally:
            await broadcast.disconnect()

    async def health(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    async def publish(request: Request) -> Response:
        data = orjson.loads(await request.body())
        number = next(ids)
        now = datetime.now(UTC).isoformat()
        cursor = base64.urlsafe_b64encode(f"m:{number}".encode()).decode()
        event = {
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
        await broadcast.publish(f"room:{data['challengeId']}", orjson.dumps(event).decode())
        reply = orjson.dumps({"data": {"sendMessage": {"id": str(number)}}})
        return Response(reply, media_type="application/json")

    async def subscribe(websocket: WebSocket) -> None:
        await websocket.accept(subprotocol=PROTOCOL)
        try:
            init = orjson.loads(await websocket.receive_text())
            if init.get("type") != "connection_init":
                await websocket.close(4400)
                return
            await websocket.send_text('{"type":"connection_ack"}')
            start = orjson.loads(await websocket.receive_text())
            operation_id = start["id"]
            channel = f"room:{start['payload']['variables']['challengeId']}"
        except WebSocketDisconnect:
            return

        async def forward() -> None:
            async with contextlib.AsyncExitStack() as stack:
                # broadcaster 0.3.1 loses all but one of several *concurrent* first subscribers
                # of a channel on Redis (each overwrites the channel's queue set): enter one at a time.
                async with entering:
                    subscriber = await stack.enter_async_context(broadcast.subscribe(channel))
                async for message in subscriber:  # type: ignore[union-attr]
                    if message is None:
                        continue
                    frame = {
                        "id": operation_id,
                        "type": "next",
                        "payload": {"data": {"roomEvents": orjson.loads(message.message)}},
                    }
                    await websocket.send_text(orjson.dumps(frame).decode())

        sender = asyncio.create_task(forward())
        try:
            while True:
                message = await websocket.receive()
                if message["type"] == "websocket.disconnect":
                    break
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender

    return Starlette(
        routes=[
            Route("/health", health),
            Route("/publish", publish, methods=["POST"]),
            WebSocketRoute("/graphql", subscribe),
        ],
        lifespan=lifespan,
    )

"""Our graphql-transport-ws handler: strawberry's protocol, with three changes.

- A socket is bound to its access token and its login session (:mod:`web.socket_sessions`):
  it is closed with 4403 when either ends, and no operation starts on it after that.
- An operation over the per-connection limit is refused with ``QUERY_TOO_COMPLEX``.
- ``next`` messages are serialised with orjson, once per result: subscribers of one group
  (see :mod:`subscriptions.fanout`) receive the very same ``data`` object, whose JSON is
  cached and spliced into each subscriber's frame (only the operation id differs).
- Each operation it starts can write its ``next`` frames straight to the socket
  (:mod:`web.frames`, found by the operation's task in :data:`schema.realtime.NEXT_FRAMES`).

Operations share the connection's context but not its DataLoaders: the executor gives each
operation loaders of its own (:class:`subscriptions.executor.SubscriptionExecutor`).

The legacy ``graphql-ws`` handler (only with ``LEGACY_GRAPHQL_WS``) is bound to the session
the same way.
"""

from __future__ import annotations

from contextlib import suppress
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    Message,
    SubscribeMessage,
)
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import ConnectionInitMessage as LegacyConnectionInit
from strawberry.subscriptions.protocols.graphql_ws.types import StartMessage

from infra.errors import ErrorCode
from infra.viewer import Viewer
from schema.realtime import NEXT_FRAMES
from web.frames import PAYLOADS, NextFrames, next_frames
from web.middleware.websockets import SERVER_SEND
from web.socket_sessions import CLOSE_CODE, Close, SocketGuard, SocketSessions


def bind_to_session(view: object, context: object, close: Close) -> SocketGuard | None:
    """Watch an acknowledged socket's token and session, when the view keeps socket sessions
    and the socket has a viewer (anonymous sockets have nothing to expire)."""
    sessions = getattr(view, "socket_sessions", None)
    viewer = getattr(context, "viewer", None)
    if isinstance(sessions, SocketSessions) and isinstance(viewer, Viewer):
        return sessions.watch(viewer, close)
    return None


class TransportWSHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    guard: SocketGuard | None = None

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self.guard is None:
            self.guard = bind_to_session(self.view, self.context, self.end_session)

    async def end_session(self, reason: str) -> None:
        """The token expired or the session ended: stop every operation, close with 4403."""
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)
        with suppress(WebSocketDisconnected, WebSocketDisconnect, RuntimeError):  # already gone
            await self.websocket.close(code=CLOSE_CODE, reason=reason)

    async def shutdown(self) -> None:
        if self.guard is not None:
            self.guard.stop()
        await super().shutdown()

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.guard is not None and (reason := await self.guard.refusal()) is not None:
            await self.guard.end(reason)
            return
        # strawberry refuses an operation over the per-connection limit with a bare error;
        # ours carries the contract's code like every other limit.
        limit = self.max_subscriptions_per_connection
        if (
            self.connection_acknowledged
            and limit is not None
            and message["id"] not in self.operations
            and len(self.operations) >= limit
        ):
            error = GraphQLError(
                f"At most {limit} operations may run on one connection.",
                extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value},
            )
            await self.send_message({"id": message["id"], "type": "error", "payload": [error.formatted]})
            return
        starting = NEXT_FRAMES.set(self._next_frames(message["id"]))
        try:
            await super().handle_subscribe(message)
        finally:
            NEXT_FRAMES.reset(starting)

    def _next_frames(self, operation_id: str) -> NextFrames | None:
        if not isinstance(self.websocket, ASGIWebSocketAdapter):
            return None
        return next_frames(self.websocket.ws.scope.get(SERVER_SEND), self.operations, operation_id)

    async def handle_task_exception(self, error: Exception) -> None:
        # A client gone while its next event was being written (a shutdown, a dropped network)
        # is how streams end, not a server error.
        if isinstance(error, WebSocketDisconnected):
            return
        await super().handle_task_exception(error)

    async def send_message(self, message: Message) -> None:
        if message["type"] != "next":
            await self.websocket.send_json(message)
            return
        payload = message.get("payload")
        if (
            not isinstance(payload, dict)
            or payload.keys() != {"data"}
            or payload["data"] is None
            or not isinstance(self.websocket, ASGIWebSocketAdapter)
        ):
            await self.websocket.send_json(message)
            return
        operation_id = orjson.dumps(message["id"]).decode()
        frame = f'{{"id":{operation_id},"type":"next","payload":{PAYLOADS.text(payload["data"])}}}'
        try:
            await self.websocket.ws.send_text(frame)
        except WebSocketDisconnect as error:
            raise WebSocketDisconnected from error


class LegacyWSHandler(BaseGraphQLWSHandler[Any, Any]):
    """The legacy ``graphql-ws`` protocol (``LEGACY_GRAPHQL_WS``), bound to its session too."""

    guard: SocketGuard | None = None

    async def handle_connection_init(self, message: LegacyConnectionInit) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged and self.guard is None:
            self.guard = bind_to_session(self.view, self.context, self.end_session)

    async def end_session(self, reason: str) -> None:
        for operation_id in list(self.tasks):
            await self.cleanup_operation(operation_id)
        with suppress(WebSocketDisconnected, WebSocketDisconnect, RuntimeError):
            await self.websocket.close(code=CLOSE_CODE, reason=reason)

    async def handle_start(self, message: StartMessage) -> None:
        if self.guard is not None and (reason := await self.guard.refusal()) is not None:
            await self.guard.end(reason)
            return
        await super().handle_start(message)

    async def cleanup(self) -> None:
        if self.guard is not None:
            self.guard.stop()
        await super().cleanup()

"""Our graphql-transport-ws handler: strawberry's protocol, with two changes.

- An operation over the per-connection limit is refused with ``QUERY_TOO_COMPLEX``.
- ``next`` messages are serialised with orjson, once per result: subscribers of one group
  (see :mod:`subscriptions.fanout`) receive the very same ``data`` object, whose JSON is
  cached and spliced into each subscriber's frame (only the operation id differs).

Operations share the connection's context but not its DataLoaders: the executor gives each
operation loaders of its own (:class:`subscriptions.executor.SubscriptionExecutor`).
"""

from __future__ import annotations

from typing import Any

import orjson
from graphql import GraphQLError
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import BaseGraphQLTransportWSHandler
from strawberry.subscriptions.protocols.graphql_transport_ws.types import Message, SubscribeMessage

from infra.errors import ErrorCode
from subscriptions.fanout import IdentityLRU


class PayloadCache:
    """The JSON text of recent ``next`` payloads, by identity of their ``data``."""

    def __init__(self, maxsize: int = 1024) -> None:
        self._texts: IdentityLRU[str] = IdentityLRU(maxsize)
        self.serialised = 0
        self.reused = 0

    def text(self, data: object) -> str:
        text = self._texts.get(None, data)
        if text is not None:
            self.reused += 1
            return text
        text = orjson.dumps({"data": data}).decode()
        self.serialised += 1
        self._texts.put(None, data, text)
        return text


PAYLOADS = PayloadCache()


class TransportWSHandler(BaseGraphQLTransportWSHandler[Any, Any]):
    async def handle_subscribe(self, message: SubscribeMessage) -> None:
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
        await super().handle_subscribe(message)

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

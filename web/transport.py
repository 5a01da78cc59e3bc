"""Our graphql-transport-ws handler: strawberry's protocol, with two changes.

- Each operation runs with its own copy of the connection's context holding fresh
  DataLoaders, so operations on one socket never share cached loader values.
- ``next`` messages are serialised with orjson, once per result: subscribers of one group
  (see :mod:`subscriptions.fanout`) receive the very same ``data`` object, whose JSON is
  cached and spliced into each subscriber's frame (only the operation id differs).
"""

from __future__ import annotations

import copy
from contextlib import suppress
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
    _OperationStreamClosed,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    CompleteMessage,
    Message,
    SubscribeMessage,
)
from strawberry.utils.aio import aclosing

from infra.errors import ErrorCode
from resolvers.loaders import Loaders
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


def operation_context(context: Any) -> Any:
    """A shallow copy of the connection's context with its own loaders."""
    if not isinstance(getattr(context, "loaders", None), Loaders):
        return context
    operation = copy.copy(context)
    operation.loaders = Loaders()
    return operation


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

    async def run_operation(self, operation: Operation[Any, Any]) -> None:
        # strawberry's run_operation, with a per-operation context.
        try:
            result_source = await self.schema.stream(
                operation.query,
                variable_values=operation.variables,
                context_value=operation_context(self.context),
                root_value=self.root_value,
                operation_name=operation.operation_name,
            )
            async with aclosing(result_source):
                await self._send_result_stream(operation, result_source)
            await operation.send_operation_message(CompleteMessage(id=operation.id, type="complete"))
        except _OperationStreamClosed:
            return
        except Exception as error:
            await self.handle_task_exception(error)
            with suppress(Exception):
                await operation.send_operation_message({"id": operation.id, "type": "complete"})
            self.operations.pop(operation.id, None)
            raise

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

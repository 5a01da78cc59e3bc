"""One request id per HTTP request or WebSocket connection, assigned here and nowhere else.

A client's ``X-Request-ID`` is kept when it is short and plain (so ids can be followed across
services); anything else is replaced by a new one. The id goes into the logging context, into
``scope["state"]`` where the GraphQL view reads it (:func:`request_id_of`), and back to the
client on the response.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.logging import request_id_var

REQUEST_ID_HEADER = b"x-request-id"
_STATE_KEY = "request_id"
_VALID_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")


def request_id_of(scope: Scope) -> str:
    """The id :class:`RequestId` assigned to this request, or "" outside the middleware."""
    state: dict[str, Any] = scope.get("state") or {}
    return str(state.get(_STATE_KEY, ""))


def _assign(scope: Scope) -> str:
    given = next((bytes(value) for key, value in scope.get("headers", ()) if key == REQUEST_ID_HEADER), None)
    if given is not None and _VALID_REQUEST_ID.match(given):
        return given.decode()
    return secrets.token_hex(8)


class RequestId:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request_id = _assign(scope)
        scope.setdefault("state", {})[_STATE_KEY] = request_id
        request_id_var.set(request_id)
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        header = (REQUEST_ID_HEADER, request_id.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        await self.app(scope, receive, send_with_id)

"""Open WebSockets, counted for ``/metrics``, the callbacks to run when one ends, and the
server's own ``send`` of each (``SERVER_SEND``).

Whatever a connection holds beyond its own lifetime (e.g. a per-member connection slot) is
released by a callback registered under ``scope[ON_CLOSE]``; they all run, however the socket
ended.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.metrics import Metrics

log = logging.getLogger("eroom.access")

ON_CLOSE = "eroom.on_close"
# The server's own ``send`` of a WebSocket, before any middleware wraps it (tracing does):
# web.frames writes subscription frames through the connection behind it.
SERVER_SEND = "eroom.server_send"

CloseCallback = Callable[[], Awaitable[None]]


class ServerSend:
    """Keeps a WebSocket's ``send`` as the server passed it under ``scope[SERVER_SEND]``; the
    outermost middleware, so that nothing has wrapped it yet."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[SERVER_SEND] = send
        await self.app(scope, receive, send)


class WebSockets:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        scope[ON_CLOSE] = []
        accepted = False

        async def counting_send(message: Message) -> None:
            nonlocal accepted
            if message["type"] == "websocket.accept" and not accepted:
                accepted = True
                self.metrics.websockets.inc()
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            if accepted:
                self.metrics.websockets.dec()
            callbacks: list[CloseCallback] = scope[ON_CLOSE]
            for callback in callbacks:
                try:
                    await callback()
                except Exception:
                    log.exception("websocket close callback failed")

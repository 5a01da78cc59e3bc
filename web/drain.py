"""Draining on SIGTERM, so that a rolling restart behind nginx loses nothing.

In order:
1. ``/ready`` answers 503 ``draining`` (for load balancers that poll it);
2. the listening socket closes: nginx's next connection is refused, and nginx sends the request to
   another instance (``proxy_next_upstream error``: nothing was sent, so POSTs are retried too);
3. requests already running finish, for at most ``DRAIN_SECONDS``; each is answered with
   ``Connection: close`` so that no keep-alive connection from nginx outlives the drain.
   WebSockets keep delivering meanwhile;
4. uvicorn's own shutdown: WebSockets close with 1012 (service restart: graphql-ws clients
   reconnect, through nginx to another instance, and resume by cursor), connections get
   ``SHUTDOWN_TIMEOUT`` to finish, then the lifespan closes the services.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from dataclasses import dataclass, field

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.config import STARTUP_FAILURE
from uvicorn.importer import import_from_string

from infra.settings import Settings


@dataclass
class Drain:
    """Whether this process is leaving, and how many HTTP requests it is still answering."""

    draining: bool = False
    in_flight: int = 0
    idle: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.idle.set()

    def enter(self) -> None:
        self.in_flight += 1
        self.idle.clear()

    def leave(self) -> None:
        self.in_flight -= 1
        if not self.in_flight:
            self.idle.set()


class DrainAware:
    """Counts running HTTP requests; while draining, tells the client to close the connection."""

    def __init__(self, app: ASGIApp, drain: Drain) -> None:
        self.app = app
        self.drain = drain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        drain = self.drain

        async def send_closing(message: Message) -> None:
            if drain.draining and message["type"] == "http.response.start":
                headers = [*message.get("headers", ()), (b"connection", b"close")]
                message = {**message, "headers": headers}
            await send(message)

        drain.enter()
        try:
            await self.app(scope, receive, send_closing)
        finally:
            drain.leave()


class DrainingServer(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, drain: Drain, drain_seconds: float) -> None:
        super().__init__(config)
        self.drain = drain
        self.drain_seconds = drain_seconds

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.drain.draining = True
        for server in self.servers:
            server.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.drain.idle.wait(), self.drain_seconds)
        await super().shutdown(sockets)


def serve(settings: Settings, factory: str) -> None:
    """Serve the app that ``factory`` ("module:function") builds, draining it on SIGTERM."""
    app = import_from_string(factory)()
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        ws_max_size=settings.ws_max_frame_bytes,
        ws_ping_interval=settings.ws_keepalive_interval,
        ws_per_message_deflate=settings.ws_per_message_deflate,
        timeout_graceful_shutdown=settings.shutdown_timeout,
        log_config=None,
        # web.middleware.access_log writes the access log, with the request id
        access_log=False,
        # Client addresses (per-IP limits) come from X-Forwarded-For only when these proxies set it.
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
    server = DrainingServer(config, app.state.drain, settings.drain_seconds)
    server.run()
    if not server.started:
        sys.exit(STARTUP_FAILURE)

"""One access log line and one ``eroom_http_requests`` count per HTTP request, with the status
the client was sent (500 when the app failed before answering)."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.metrics import Metrics

log = logging.getLogger("eroom.access")

# Probed every few seconds by load balancers and Prometheus: counted, but not logged.
QUIET_PATHS = frozenset({"/health", "/ready", "/metrics"})


class AccessLog:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            self.metrics.http_requests.labels(scope.get("method", ""), str(status)).inc()
            path: str = scope.get("path", "")
            if path not in QUIET_PATHS:
                log.info(
                    "http request",
                    extra={
                        "method": scope.get("method"),
                        "path": path[:200],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )

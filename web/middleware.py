"""The ASGI layer in front of every route: request ids, body caps, security headers, access log.

Body caps are enforced while the body streams in (a missing or lying ``Content-Length`` does
not help): ``MAX_JSON_BODY_BYTES`` for JSON, and for multipart uploads ``MAX_REQUEST_BYTES``
in total, ``MAX_UPLOAD_FILES`` files of at most ``MAX_UPLOAD_BYTES`` each. Over a cap the
client gets ``413`` with a GraphQL error body (``BAD_USER_INPUT``, ``field`` = ``body`` or
``files``, or the variable an oversized file was meant for), before the GraphQL layer has buffered anything.

WebSocket connections are counted for ``/metrics``; callbacks registered under
``scope[ON_CLOSE]`` (e.g. releasing a per-member connection slot) run when the socket ends.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import orjson
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.logging import request_id_var
from infra.metrics import Metrics
from infra.settings import Settings

log = logging.getLogger("eroom.access")

ON_CLOSE = "eroom.on_close"
REQUEST_ID_HEADER = b"x-request-id"
_VALID_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")
_NAME = re.compile(rb'\bname="([^"]*)"')
_MAX_MAP_BYTES = 64 * 1024
MEDIA_TYPES = {
    ".png": b"image/png",
    ".jpg": b"image/jpeg",
    ".jpeg": b"image/jpeg",
    ".gif": b"image/gif",
    ".webp": b"image/webp",
}
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
]

DRAIN_BYTES = 1024 * 1024

CloseCallback = Callable[[], Awaitable[None]]


class BodyTooLargeError(Exception):
    """Raised from ``receive`` so the app stops reading; answered with 413 here."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class _MultipartGuard:
    """Counts files and their sizes as the multipart body streams through."""

    def __init__(self, boundary: bytes, settings: Settings) -> None:
        self.settings = settings
        self.files = 0
        self.part_bytes = 0
        self.is_file = False
        self.part_name = ""
        # The spec's `map` part precedes the files: it tells which variable a file part fills,
        # so an oversized file is reported against that field (e.g. `thumbnail`).
        self.file_map: dict[str, list[str]] = {}
        self._map_bytes = bytearray()
        self._header_field = b""
        self.parser = MultipartParser(
            boundary,
            callbacks={
                "on_part_begin": self._begin,
                "on_part_data": self._data,
                "on_part_end": self._end,
                "on_header_field": self._header_name,
                "on_header_value": self._header_value,
            },
        )

    def feed(self, chunk: bytes) -> None:
        self.parser.write(chunk)

    def _begin(self) -> None:
        self.part_bytes = 0
        self.is_file = False
        self.part_name = ""
        self._header_field = b""

    def _end(self) -> None:
        if self.part_name == "map" and not self.is_file:
            try:
                parsed = orjson.loads(bytes(self._map_bytes))
            except orjson.JSONDecodeError:
                return  # the GraphQL layer reports a malformed map
            if isinstance(parsed, dict):
                self.file_map = {str(key): value for key, value in parsed.items() if isinstance(value, list)}

    def _file_field(self) -> str:
        paths = self.file_map.get(self.part_name) or []
        segments = str(paths[0]).split(".") if paths else []
        names = [segment for segment in segments[1:] if not segment.isdigit()]
        return names[-1] if names else "files"

    def _header_name(self, data: bytes, start: int, end: int) -> None:
        self._header_field = data[start:end].lower()

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        value = data[start:end]
        if self._header_field == b"content-disposition":
            name = _NAME.search(value)
            self.part_name = name.group(1).decode(errors="replace") if name else ""
        if self._header_field == b"content-disposition" and b"filename=" in value:
            self.is_file = True
            self.files += 1
            if self.files > self.settings.max_upload_files:
                limit = self.settings.max_upload_files
                raise BodyTooLargeError(f"At most {limit} files per request.", "files")

    def _data(self, data: bytes, start: int, end: int) -> None:
        self.part_bytes += end - start
        if self.part_name == "map" and not self.is_file and len(self._map_bytes) < _MAX_MAP_BYTES:
            self._map_bytes += data[start:end]
        if self.is_file and self.part_bytes > self.settings.max_upload_bytes:
            limit_mb = self.settings.max_upload_bytes // (1024 * 1024)
            raise BodyTooLargeError(f"Files may be at most {limit_mb} MB.", self._file_field())


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


def _request_id(scope: Scope) -> str:
    given = _header(scope, REQUEST_ID_HEADER)
    if given is not None and _VALID_REQUEST_ID.match(given):
        return given.decode()
    request_id = secrets.token_hex(8)
    # the GraphQL view reads the id from the headers: give it the one we log
    headers = [(k, v) for k, v in scope.get("headers", ()) if k != REQUEST_ID_HEADER]
    scope["headers"] = [*headers, (REQUEST_ID_HEADER, request_id.encode())]
    return request_id


async def _drain(receive: Receive) -> None:
    """Read a little of what the client is still sending, so it sees our 413 rather than a
    reset connection; a client that keeps streaming past ``DRAIN_BYTES`` gets the reset."""
    drained = 0
    while drained < DRAIN_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            return
        drained += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


async def _refuse(send: Send, error: BodyTooLargeError, request_id: str) -> None:
    extensions = {"code": "BAD_USER_INPUT", "field": error.field}
    body = orjson.dumps({"errors": [{"message": error.message, "extensions": extensions}]})
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                (REQUEST_ID_HEADER, request_id.encode()),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class HardeningMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings, metrics: Metrics) -> None:
        self.app = app
        self.settings = settings
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def _body_limit(self, scope: Scope) -> tuple[int, _MultipartGuard | None]:
        content_type, options = parse_options_header(_header(scope, b"content-type") or b"")
        if content_type == b"multipart/form-data" and options.get(b"boundary"):
            return self.settings.max_request_bytes, _MultipartGuard(options[b"boundary"], self.settings)
        return self.settings.max_json_body_bytes, None

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        request_id = _request_id(scope)
        request_id_var.set(request_id)
        path: str = scope.get("path", "")
        limit, guard = self._body_limit(scope)
        received = 0
        body_complete = False
        status = 500
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received, body_complete
            message = await receive()
            if message["type"] == "http.request":
                body_complete = not message.get("more_body", False)
                chunk: bytes = message.get("body", b"")
                received += len(chunk)
                if received > limit:
                    raise BodyTooLargeError(f"The request body may be at most {limit} bytes.", "body")
                if guard is not None and chunk:
                    guard.feed(chunk)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = int(message["status"])
                headers = list(message.get("headers", []))
                message["headers"] = self._response_headers(path, headers, request_id)
            await send(message)

        declared = _header(scope, b"content-length")
        try:
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise BodyTooLargeError(f"The request body may be at most {limit} bytes.", "body")
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLargeError as error:
            if response_started:
                raise
            status = 413
            if declared is None and not body_complete:
                await _drain(receive)
            await _refuse(send, error, request_id)
        finally:
            self.metrics.http_requests.labels(scope.get("method", ""), str(status)).inc()
            if path not in ("/health", "/ready", "/metrics"):
                log.info(
                    "http request",
                    extra={
                        "method": scope.get("method"),
                        "path": path[:200],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )

    def _response_headers(
        self, path: str, headers: list[tuple[bytes, bytes]], request_id: str
    ) -> list[tuple[bytes, bytes]]:
        present = {key.lower() for key, _ in headers}
        headers.extend(item for item in SECURITY_HEADERS if item[0] not in present)
        headers.append((REQUEST_ID_HEADER, request_id.encode()))
        if path.startswith("/media/"):
            # only our own image types render inline; anything else is a download
            suffix = path[path.rfind(".") :].lower() if "." in path.rsplit("/", 1)[-1] else ""
            media_type = MEDIA_TYPES.get(suffix)
            replaced = (b"content-type", b"content-disposition")
            headers = [(k, v) for k, v in headers if k.lower() not in replaced]
            if media_type is None:
                headers.append((b"content-type", b"application/octet-stream"))
                headers.append((b"content-disposition", b"attachment"))
            else:
                headers.append((b"content-type", media_type))
            headers.append((b"content-security-policy", b"default-src 'none'; sandbox"))
        return headers

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id_var.set(_request_id(scope))
        state: MutableMapping[str, Any] = scope
        state[ON_CLOSE] = []
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
            callbacks: list[CloseCallback] = state[ON_CLOSE]
            for callback in callbacks:
                try:
                    await callback()
                except Exception:
                    log.exception("websocket close callback failed")

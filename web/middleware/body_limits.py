"""Request body caps, enforced while the body streams in.

A missing or lying ``Content-Length`` does not help: ``MAX_JSON_BODY_BYTES`` for JSON, and for
multipart uploads ``MAX_REQUEST_BYTES`` in total, ``MAX_UPLOAD_FILES`` files of at most
``MAX_UPLOAD_BYTES`` each (:class:`~web.middleware.multipart.MultipartGuard`). Over a cap the
client gets ``413`` with a GraphQL error body (``BAD_USER_INPUT``, ``field`` = ``body`` or
``files``, or the variable an oversized file was meant for), before the GraphQL layer has
buffered anything. The request id and security headers are added by the middlewares outside.
"""

from __future__ import annotations

import orjson
from python_multipart.multipart import parse_options_header
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.settings import Settings
from web.middleware.multipart import BodyTooLargeError, MultipartGuard

DRAIN_BYTES = 1024 * 1024


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


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


async def _refuse(send: Send, error: BodyTooLargeError) -> None:
    extensions = {"code": "BAD_USER_INPUT", "field": error.field}
    body = orjson.dumps({"errors": [{"message": error.message, "extensions": extensions}]})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimits:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def _limit(self, scope: Scope) -> tuple[int, MultipartGuard | None]:
        content_type, options = parse_options_header(_header(scope, b"content-type") or b"")
        if content_type == b"multipart/form-data" and options.get(b"boundary"):
            return self.settings.max_request_bytes, MultipartGuard(options[b"boundary"], self.settings)
        return self.settings.max_json_body_bytes, None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, guard = self._limit(scope)
        too_large = f"The request body may be at most {limit} bytes."
        received = 0
        body_complete = False
        response_started = False

        async def limited_receive() -> Message:
            nonlocal received, body_complete
            message = await receive()
            if message["type"] == "http.request":
                body_complete = not message.get("more_body", False)
                chunk: bytes = message.get("body", b"")
                received += len(chunk)
                if received > limit:
                    raise BodyTooLargeError(too_large, "body")
                if guard is not None and chunk:
                    guard.feed(chunk)
            return message

        async def noting_send(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        declared = _header(scope, b"content-length")
        try:
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise BodyTooLargeError(too_large, "body")
            await self.app(scope, limited_receive, noting_send)
        except BodyTooLargeError as error:
            if response_started:
                raise
            if not body_complete:  # also with a Content-Length: unread bytes make the close a reset
                await _drain(receive)
            await _refuse(send, error)

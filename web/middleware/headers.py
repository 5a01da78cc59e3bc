"""Response headers: security headers on every HTTP response, safe types for served uploads."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
]
MEDIA_PREFIX = "/media/"
MEDIA_TYPES = {
    ".png": b"image/png",
    ".jpg": b"image/jpeg",
    ".jpeg": b"image/jpeg",
    ".gif": b"image/gif",
    ".webp": b"image/webp",
}
_MEDIA_REPLACED = (b"content-type", b"content-disposition")


class SecurityHeaders:
    """Adds :data:`SECURITY_HEADERS` to every HTTP response, unless the app set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {key.lower() for key, _ in headers}
                headers.extend(item for item in SECURITY_HEADERS if item[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def media_headers(path: str, headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Only our own image types render inline; anything else under /media/ is a download, and
    nothing served there may run scripts."""
    suffix = path[path.rfind(".") :].lower() if "." in path.rsplit("/", 1)[-1] else ""
    media_type = MEDIA_TYPES.get(suffix)
    kept = [(key, value) for key, value in headers if key.lower() not in _MEDIA_REPLACED]
    if media_type is None:
        kept += [(b"content-type", b"application/octet-stream"), (b"content-disposition", b"attachment")]
    else:
        kept.append((b"content-type", media_type))
    kept.append((b"content-security-policy", b"default-src 'none'; sandbox"))
    return kept


class MediaHeaders:
    """Applies :func:`media_headers` to every response under ``/media/``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(MEDIA_PREFIX):
            await self.app(scope, receive, send)
            return

        async def send_with_media_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = media_headers(path, list(message.get("headers", ())))
            await send(message)

        await self.app(scope, receive, send_with_media_headers)

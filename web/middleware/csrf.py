"""Cross-site request forgery: refuse what another site could make a browser send to /graphql.

As Apollo Server's CSRF prevention does: a browser sends some requests without a CORS preflight
(GET, and POST as ``multipart/form-data``, ``text/plain`` or
``application/x-www-form-urlencoded``), so the CORS policy never gets a say before they run.
Such a request must carry a non-empty ``Apollo-Require-Preflight`` or ``X-Apollo-Operation-Name``
header, which a page can only add by going through a preflight. Besides, a request that
carries our auth cookies must come from an allowed origin (``CORS_ORIGINS``) or our own, when
the browser says where it comes from.

Not GraphQL operations and left alone: the GraphiQL page (a GET without ``query``), OPTIONS
(answered by CORS), WebSocket upgrades (strawberry checks their Origin) and every other path.
A refusal is HTTP 400 with a GraphQL error: ``BAD_USER_INPUT``, ``field`` = ``headers``.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import orjson
from python_multipart.multipart import parse_options_header
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from infra.settings import Settings
from schema.cookies import ACCESS_COOKIE, REFRESH_COOKIE

GRAPHQL_PATH = "/graphql"
PREFLIGHT_HEADERS = ("apollo-require-preflight", "x-apollo-operation-name")
SIMPLE_CONTENT_TYPES = {b"multipart/form-data", b"text/plain", b"application/x-www-form-urlencoded"}
NO_PREFLIGHT = (
    "This request could have been sent by another site without a CORS preflight. Send a "
    "non-empty Apollo-Require-Preflight header (apollo-upload-client: "
    "headers: {'Apollo-Require-Preflight': 'true'}) or use Content-Type: application/json."
)
FOREIGN_ORIGIN = "Requests authenticated by cookie are only accepted from the allowed origins (CORS_ORIGINS)."


def needs_preflight_header(method: str, headers: Headers, query_string: bytes) -> bool:
    """Whether a browser could have sent this request without asking the CORS policy first."""
    if method == "GET":
        return "query" in parse_qs(query_string.decode("latin-1"))
    content_type = headers.get("content-type")
    if content_type is None:
        return True
    essence, _ = parse_options_header(content_type)
    return essence.lower() in SIMPLE_CONTENT_TYPES


def has_preflight_header(headers: Headers) -> bool:
    return any(headers.get(name, "").strip() for name in PREFLIGHT_HEADERS)


def origin_allowed(headers: Headers, allowed: set[str]) -> bool:
    """No Origin (not a browser, or a same-origin GET), our own, or one of ``CORS_ORIGINS``."""
    origin = headers.get("origin")
    if origin is None:
        return True
    if origin.rstrip("/") in allowed:
        return True
    host = headers.get("host", "")
    return origin != "null" and bool(host) and urlsplit(origin).netloc.lower() == host.lower()


def carries_auth_cookie(headers: Headers) -> bool:
    cookies = cookie_parser(headers.get("cookie", ""))
    return bool(cookies.get(ACCESS_COOKIE) or cookies.get(REFRESH_COOKIE))


async def _refuse(send: Send, message: str) -> None:
    extensions = {"code": "BAD_USER_INPUT", "field": "headers"}
    body = orjson.dumps({"data": None, "errors": [{"message": message, "extensions": extensions}]})
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 400, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class CsrfPrevention:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.allowed = {origin.rstrip("/") for origin in settings.cors_origin_list}

    def _problem(self, scope: Scope) -> str | None:
        headers = Headers(scope=scope)
        method = scope["method"]
        if method not in ("GET", "POST"):
            return None
        if needs_preflight_header(
            method, headers, scope.get("query_string", b"")
        ) and not has_preflight_header(headers):
            return NO_PREFLIGHT
        if carries_auth_cookie(headers) and not origin_allowed(headers, self.allowed):
            return FOREIGN_ORIGIN
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path", "").rstrip("/") != GRAPHQL_PATH:
            await self.app(scope, receive, send)
            return
        problem = self._problem(scope)
        if problem is None:
            await self.app(scope, receive, send)
        else:
            await _refuse(send, problem)

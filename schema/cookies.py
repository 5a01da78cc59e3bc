"""The browser side of sessions: tokens as HttpOnly cookies on the HTTP response.

The refresh cookie is only sent to the GraphQL endpoint (``Path=/graphql``); the access cookie
to the whole site. A response that carries tokens (in its body or its cookies) must never be
stored by a cache on the way: ``Cache-Control: no-store``.
"""

from __future__ import annotations

from resolvers.accounts.sessions import SignedIn
from schema.context import Info

# The names the web layer reads the viewer and the refresh token from.
ACCESS_COOKIE = "access_token"
REFRESH_COOKIE = "refresh_token"
ACCESS_PATH = "/"
REFRESH_PATH = "/graphql"
# Where refresh cookies were scoped before: still cleared at logout.
LEGACY_REFRESH_PATH = "/"


def no_store(info: Info) -> None:
    response = info.context.response
    if response is not None:
        response.headers["cache-control"] = "no-store"


def set_auth_cookies(info: Info, session: SignedIn) -> None:
    response = info.context.response
    if response is None:  # a WebSocket operation has no response to carry cookies
        return
    no_store(info)
    settings = info.context.settings
    for name, value, max_age, path in (
        (ACCESS_COOKIE, session.access_token, settings.access_token_ttl, ACCESS_PATH),
        (REFRESH_COOKIE, session.refresh_token, settings.refresh_token_ttl, REFRESH_PATH),
    ):
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path=path,
            httponly=True,
            samesite="lax",
            secure=settings.cookie_secure,
        )


def clear_auth_cookies(info: Info) -> None:
    response = info.context.response
    if response is None:
        return
    no_store(info)
    secure = info.context.settings.cookie_secure
    for name, path in (
        (ACCESS_COOKIE, ACCESS_PATH),
        (REFRESH_COOKIE, REFRESH_PATH),
        (REFRESH_COOKIE, LEGACY_REFRESH_PATH),
    ):
        response.delete_cookie(name, path=path, httponly=True, samesite="lax", secure=secure)


def refresh_cookie(info: Info) -> str | None:
    """The refresh cookie; of several, the first: browsers list the one of the longest path
    first, so a cookie still scoped to ``/`` from an older release never wins over ours
    (presenting its rotated token would end the session as a reuse)."""
    header = info.context.request.headers.get("cookie", "")
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name == REFRESH_COOKIE and value:
            return value
    return None

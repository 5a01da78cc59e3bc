"""The browser side of sessions: tokens as HttpOnly cookies on the HTTP response."""

from __future__ import annotations

from resolvers.accounts.sessions import SignedIn
from schema.context import Info

# The names the web layer reads the viewer and the refresh token from.
ACCESS_COOKIE = "access_token"
REFRESH_COOKIE = "refresh_token"


def set_auth_cookies(info: Info, session: SignedIn) -> None:
    response = info.context.response
    if response is None:  # a WebSocket operation has no response to carry cookies
        return
    settings = info.context.settings
    for name, value, max_age in (
        (ACCESS_COOKIE, session.access_token, settings.access_token_ttl),
        (REFRESH_COOKIE, session.refresh_token, settings.refresh_token_ttl),
    ):
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            httponly=True,
            samesite="lax",
            secure=settings.cookie_secure,
        )


def clear_auth_cookies(info: Info) -> None:
    response = info.context.response
    if response is None:
        return
    secure = info.context.settings.cookie_secure
    for name in (ACCESS_COOKIE, REFRESH_COOKIE):
        response.delete_cookie(name, path="/", httponly=True, samesite="lax", secure=secure)


def refresh_cookie(info: Info) -> str | None:
    return info.context.request.cookies.get(REFRESH_COOKIE) or None

"""Who a request or socket says it is: the credential it presents, and its client address."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from schema.cookies import ACCESS_COOKIE


def bearer_token(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def presented_credential(connection: HTTPConnection) -> str | None:
    """The access token the request presents: the Authorization header, else the cookie.
    An empty header (or a bare ``Bearer``) presents nothing; any other header that is not a
    bearer token is presented as is, and refused."""
    header = connection.headers.get("authorization", "").strip()
    if header and header.lower() != "bearer":
        return bearer_token(header) or header
    return connection.cookies.get(ACCESS_COOKIE) or None


def client_ip(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else "unknown"

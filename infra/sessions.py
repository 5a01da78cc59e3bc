"""Access tokens as the API judges them: a presented credential is good, or refused with a reason.

A credential that is present but no good is never read as anonymous: the caller must refresh or
log in again, and ``extensions.reason`` tells which.
"""

from __future__ import annotations

from enum import StrEnum

from infra.errors import Unauthenticated
from infra.settings import Settings
from infra.tokens import InvalidToken, TokenExpired, decode_access_token
from infra.viewer import Viewer


class Reason(StrEnum):
    """``extensions.reason`` of an UNAUTHENTICATED caused by the credential itself."""

    TOKEN_INVALID = "TOKEN_INVALID"
    TOKEN_EXPIRED = "TOKEN_EXPIRED"
    SESSION_REVOKED = "SESSION_REVOKED"


MESSAGES = {
    Reason.TOKEN_INVALID: "Your access token is invalid or has expired.",
    Reason.TOKEN_EXPIRED: "Your access token has expired. Refresh it and retry.",
    Reason.SESSION_REVOKED: "This session has ended (logout, password change or token reuse). Log in again.",
}


class CredentialRefused(Unauthenticated):
    """A credential was presented and is no good: the caller must refresh or log in again."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(MESSAGES[reason])
        self.reason = reason

    @property
    def extensions(self) -> dict[str, object]:
        return {**super().extensions, "reason": self.reason.value}


async def authenticate(token: str, *, settings: Settings) -> Viewer:
    """The viewer ``token`` proves, or :class:`CredentialRefused` saying why not."""
    try:
        return decode_access_token(token, settings)
    except TokenExpired:
        raise CredentialRefused(Reason.TOKEN_EXPIRED) from None
    except InvalidToken:
        raise CredentialRefused(Reason.TOKEN_INVALID) from None

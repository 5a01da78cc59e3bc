"""Access tokens (JWT, HS256 via joserfc) and opaque refresh tokens.

The algorithm is pinned: tokens with any other ``alg`` (``none`` included) are rejected, and
``exp``, ``iat``, ``iss`` and ``sub`` are all checked, not just decoded.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import OctKey
from joserfc.jwt import JWTClaimsRegistry

from infra.settings import Settings
from infra.viewer import Viewer

ALGORITHM = "HS256"
LEEWAY_SECONDS = 5


class InvalidToken(Exception):
    """The token is malformed, forged, expired or otherwise unusable."""


class TokenExpired(InvalidToken):
    """The token was ours and valid, but its lifetime is over: the client should refresh."""


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    expires_at: datetime


# Verified tokens, so a client's next request skips the signature and claims checks (~0.27 ms);
# ``exp`` is checked again on every use, and revocation is the session store's, checked by the
# caller every time. Keyed by secret and issuer too: a token verified under another never passes.
_VERIFIED: dict[tuple[str, str, str], tuple[Viewer, float]] = {}
MAX_VERIFIED = 10_000


@lru_cache(maxsize=8)
def _imported_key(secret: str) -> OctKey:
    return OctKey.import_key(secret.encode())


def _key(settings: Settings) -> OctKey:
    return _imported_key(settings.secret)


def issue_access_token(member_id: int, settings: Settings, *, family_id: int | None = None) -> AccessToken:
    """A signed access token; ``family_id`` ties it to its login session (see ``family_of``)."""
    now = int(time.time())
    expires = now + settings.access_token_ttl
    nonce = secrets.token_urlsafe(16)
    claims = {
        "sub": str(member_id),
        "iat": now,
        "exp": expires,
        # The jti names the session ("<family>.<nonce>") so logOut and changePassword know
        # which refresh-token family the caller holds without a cookie or a database read.
        "jti": f"{family_id}.{nonce}" if family_id is not None else nonce,
        "iss": settings.jwt_issuer,
    }
    token = jwt.encode({"alg": ALGORITHM, "typ": "JWT"}, claims, _key(settings))
    return AccessToken(token=token, expires_at=datetime.fromtimestamp(expires, UTC))


def decode_access_token(token: str, settings: Settings) -> Viewer:
    """The viewer a valid access token proves, or ``InvalidToken``."""
    if len(token) > 4096:
        raise InvalidToken("token too long")
    key = (token, settings.secret, settings.jwt_issuer)
    verified = _VERIFIED.get(key)
    if verified is None:
        verified = _verify(token, settings)
        if len(_VERIFIED) >= MAX_VERIFIED:
            _VERIFIED.clear()
        _VERIFIED[key] = verified
    viewer, expires = verified
    if time.time() > expires + LEEWAY_SECONDS:
        raise TokenExpired("token expired")
    return viewer


def _verify(token: str, settings: Settings) -> tuple[Viewer, float]:
    """The viewer of a token whose signature and claims are checked now, and its ``exp``."""
    try:
        decoded = jwt.decode(token, _key(settings), algorithms=[ALGORITHM])
        registry = JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": settings.jwt_issuer},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            jti={"essential": True},
        )
        registry.validate(decoded.claims)
    except ExpiredTokenError:
        raise TokenExpired("token expired") from None
    except (JoseError, ValueError, TypeError) as error:
        raise InvalidToken(str(error)) from None
    claims = decoded.claims
    subject = str(claims["sub"])
    if not subject.isdigit():
        raise InvalidToken("bad subject")
    expires = int(claims["exp"])
    viewer = Viewer(
        id=int(subject), token_id=str(claims["jti"]), expires_at=datetime.fromtimestamp(expires, UTC)
    )
    return viewer, expires


def family_of(viewer: Viewer) -> int | None:
    """The refresh-token family (login session) the viewer's access token was issued for;
    ``None`` for a token minted outside a login (tests and benchmarks)."""
    return session_of_token_id(viewer.token_id)


def session_of_token_id(token_id: str) -> int | None:
    """The session named by an access token's ``jti`` (``"<family>.<nonce>"``)."""
    family, dot, _ = token_id.partition(".")
    return int(family) if dot and family.isdigit() else None


def new_refresh_token() -> str:
    return secrets.token_urlsafe(48)


def hash_refresh_token(token: str) -> str:
    # The token is 384 random bits: a fast hash is enough (nothing to brute-force).
    return hashlib.sha256(token.encode()).hexdigest()


def refresh_token_expiry(settings: Settings, now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) + timedelta(seconds=settings.refresh_token_ttl)

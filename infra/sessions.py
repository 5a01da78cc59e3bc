"""Login sessions as every instance sees them: live or revoked, checked on every request.

A session is a refresh-token family; its access tokens carry its id (``infra.tokens.family_of``).
PostgreSQL (``token_family.revoked_at``) is the truth. Redis keeps each session's state under
``eroom:session:<id>``: ``revoked`` for as long as one of its access tokens can still be valid
(``ACCESS_TOKEN_TTL``), ``live`` for ``LIVE_SECONDS`` after a database read. A revocation
overwrites the key; a database read only fills an empty one (``SET NX``), so a read that raced a
revocation can never hide it. Each process also remembers answers for ``CACHE_SECONDS``, so the
hot path is a dictionary lookup. Without Redis (or while it is down) the database answers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection, Iterable
from enum import StrEnum

from redis.asyncio import Redis
from redis.exceptions import RedisError
from tortoise.exceptions import BaseORMException

from infra.errors import Unauthenticated
from infra.settings import Settings
from infra.tokens import LEEWAY_SECONDS, InvalidToken, TokenExpired, decode_access_token, family_of
from infra.viewer import Viewer
from models.accounts import TokenFamily

log = logging.getLogger(__name__)

KEY_PREFIX = "eroom:session:"
LIVE, REVOKED = b"live", b"revoked"
LIVE_SECONDS = 60
CACHE_SECONDS = 1.0
MAX_CACHED = 100_000
REDIS_BATCH = 1000


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


class SessionStore:
    def __init__(self, redis: Redis | None, *, revoked_seconds: int) -> None:
        self.redis = redis
        self.revoked_seconds = max(1, revoked_seconds)
        self._cached: dict[int, tuple[bool, float]] = {}  # session id -> (revoked, fresh until)

    async def revoke(self, session_ids: Collection[int]) -> None:
        """Record revocations already committed to the database, for every instance."""
        for session_id in session_ids:
            self._remember(session_id, revoked=True)
        if self.redis is None or not session_ids:
            return
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for session_id in session_ids:
                    pipe.set(KEY_PREFIX + str(session_id), REVOKED, ex=self.revoked_seconds)
                await pipe.execute()
        except (RedisError, OSError):
            # Instances still reading an old "live" entry see the revocation within LIVE_SECONDS.
            log.error("session revocation could not be written to Redis")

    async def is_revoked(self, session_id: int) -> bool:
        return session_id in await self.revoked_among((session_id,))

    async def revoked_among(self, session_ids: Iterable[int], *, fresh: bool = False) -> set[int]:
        """The revoked ones among ``session_ids``; ``fresh`` skips this process's own cache."""
        now = time.monotonic()
        answers: dict[int, bool] = {}
        unknown: list[int] = []
        for session_id in set(session_ids):
            cached = None if fresh else self._cached.get(session_id)
            if cached is not None and cached[1] > now:
                answers[session_id] = cached[0]
            else:
                unknown.append(session_id)
        if unknown:
            found = await self._from_redis(unknown)
            missing = [session_id for session_id in unknown if session_id not in found]
            if missing:
                read = await self._from_database(missing)
                await self._fill_redis(read)
                found.update(read)
            for session_id, revoked in found.items():
                self._remember(session_id, revoked=revoked)
            answers.update(found)
        return {session_id for session_id, revoked in answers.items() if revoked}

    def _remember(self, session_id: int, *, revoked: bool) -> None:
        now = time.monotonic()
        if len(self._cached) >= MAX_CACHED:
            self._cached = {key: value for key, value in self._cached.items() if value[1] > now}
            if len(self._cached) >= MAX_CACHED:
                self._cached.clear()
        self._cached[session_id] = (revoked, now + CACHE_SECONDS)

    async def _from_redis(self, session_ids: list[int]) -> dict[int, bool]:
        if self.redis is None:
            return {}
        found: dict[int, bool] = {}
        try:
            for start in range(0, len(session_ids), REDIS_BATCH):
                batch = session_ids[start : start + REDIS_BATCH]
                values = await self.redis.mget([KEY_PREFIX + str(session_id) for session_id in batch])
                for session_id, value in zip(batch, values, strict=True):
                    if value is not None:
                        found[session_id] = value == REVOKED
        except (RedisError, OSError):
            log.warning("session check fell back to the database")
        return found

    async def _fill_redis(self, states: dict[int, bool]) -> None:
        if self.redis is None or not states:
            return
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                for session_id, revoked in states.items():
                    key = KEY_PREFIX + str(session_id)
                    if revoked:
                        pipe.set(key, REVOKED, ex=self.revoked_seconds)
                    else:
                        pipe.set(key, LIVE, ex=LIVE_SECONDS, nx=True)
                await pipe.execute()
        except (RedisError, OSError):
            log.warning("session states could not be cached in Redis")

    async def _from_database(self, session_ids: list[int]) -> dict[int, bool]:
        try:
            rows = await TokenFamily.filter(id__in=session_ids).values_list("id", "revoked_at")
        except (BaseORMException, OSError):
            # Nothing else works without the database either; Redis still knows every recent
            # revocation. Unknown sessions pass (and are not cached) until it answers again.
            log.error("session check could not read the database")
            return {}
        live = {int(session_id) for session_id, revoked_at in rows if revoked_at is None}
        # A family that is gone (its member was deleted) is as good as revoked.
        return {session_id: session_id not in live for session_id in session_ids}


async def authenticate(token: str, *, settings: Settings, sessions: SessionStore) -> Viewer:
    """The viewer ``token`` proves, or :class:`CredentialRefused` saying why not."""
    try:
        viewer = decode_access_token(token, settings)
    except TokenExpired:
        raise CredentialRefused(Reason.TOKEN_EXPIRED) from None
    except InvalidToken:
        raise CredentialRefused(Reason.TOKEN_INVALID) from None
    session = family_of(viewer)
    if session is None:
        # The server only issues tokens of a session; tokens without one are minted by tools
        # holding the secret (tests, benchmarks) and cannot be revoked, so production refuses them.
        if settings.environment == "production":
            raise CredentialRefused(Reason.TOKEN_INVALID)
        return viewer
    if await sessions.is_revoked(session):
        raise CredentialRefused(Reason.SESSION_REVOKED)
    return viewer


def revoked_seconds(settings: Settings) -> int:
    """How long a revocation must be remembered: until every access token of it has expired."""
    return settings.access_token_ttl + LEEWAY_SECONDS

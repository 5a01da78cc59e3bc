"""Login sessions: refresh-token families, rotation with reuse detection, revocation.

A family is one login. Each refresh returns a new token of the family and marks the old one
rotated; presenting a rotated token again means it was stolen (or replayed), so the whole
family is revoked and its holder must log in again.

Revoking a family is final at once: the database row is the truth, the session store tells
every instance (access tokens of the family are refused on the next request), and a
``SessionEnded`` event ends its subscriptions and sockets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from events.channels import member_channel
from events.member import SessionEnded
from infra.errors import Unauthenticated
from infra.services import Services
from infra.settings import Settings
from infra.tokens import hash_refresh_token, issue_access_token, new_refresh_token, refresh_token_expiry
from models.accounts import Member, RefreshToken, TokenFamily

SESSION_EXPIRED = "Your session has expired. Log in again."


@dataclass(frozen=True, slots=True)
class SignedIn:
    """What a successful login, sign-up or refresh hands to the client (its own tokens only)."""

    member: Member
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    refresh_token_expires_at: datetime


async def start_session(*, connection: BaseDBAsyncClient, member: Member, settings: Settings) -> SignedIn:
    """A new token family for ``member``, inside the caller's transaction."""
    family = await TokenFamily.create(using_db=connection, member=member)
    return await _issue(connection=connection, member=member, family=family, settings=settings)


async def _issue(
    *, connection: BaseDBAsyncClient, member: Member, family: TokenFamily, settings: Settings
) -> SignedIn:
    refresh = new_refresh_token()
    expires_at = refresh_token_expiry(settings)
    await RefreshToken.create(
        using_db=connection, family=family, token_hash=hash_refresh_token(refresh), expires_at=expires_at
    )
    access = issue_access_token(member.id, settings, family_id=family.id)
    return SignedIn(
        member=member,
        access_token=access.token,
        access_token_expires_at=access.expires_at,
        refresh_token=refresh,
        refresh_token_expires_at=expires_at,
    )


async def refresh_tokens(*, refresh_token: str | None, services: Services) -> SignedIn:
    """Rotate ``refresh_token``; a reused (already rotated) token revokes its family."""
    if not refresh_token:
        raise Unauthenticated("No refresh token was presented.")
    now = datetime.now(UTC)
    async with in_transaction() as connection:
        token = (
            await RefreshToken.filter(token_hash=hash_refresh_token(refresh_token))
            .using_db(connection)
            .select_related("family", "family__member")
            .first()
        )
        if token is None or token.family.revoked_at is not None or token.expires_at <= now:
            raise Unauthenticated(SESSION_EXPIRED)
        # Conditional UPDATE: of two concurrent refreshes with one token, exactly one wins;
        # the loser is treated like any other reuse.
        rotated = (
            await RefreshToken.filter(id=token.id, rotated_at=None)
            .using_db(connection)
            .update(rotated_at=now)
        )
        if rotated:
            return await _issue(
                connection=connection,
                member=token.family.member,
                family=token.family,
                settings=services.settings,
            )
    # Outside the first transaction so the revocation commits even though we refuse.
    revoked = await revoke_families(id=token.family.id)
    await end_sessions(services=services, member_id=token.family.member.id, session_ids=revoked)
    raise Unauthenticated("This refresh token was already used; the session has been ended. Log in again.")


async def family_for_token(refresh_token: str) -> TokenFamily | None:
    token = (
        await RefreshToken.filter(token_hash=hash_refresh_token(refresh_token))
        .select_related("family")
        .first()
    )
    return token.family if token else None


async def revoke_families(*, connection: BaseDBAsyncClient | None = None, **filters: object) -> list[int]:
    """Revoke the live families matching ``filters``; returns the ids of those revoked.

    Only marks the rows: once they are committed, :func:`end_sessions` tells everyone else."""
    live = TokenFamily.filter(revoked_at=None, **filters)
    if connection is not None:
        live = live.using_db(connection)
    ids = [family.id for family in await live.only("id")]
    if not ids:
        return []
    revoking = TokenFamily.filter(id__in=ids, revoked_at=None)
    if connection is not None:
        revoking = revoking.using_db(connection)
    await revoking.update(revoked_at=datetime.now(UTC))
    return ids


async def end_sessions(*, services: Services, member_id: int, session_ids: list[int]) -> None:
    """After the revocation committed: refuse the sessions' access tokens on every instance
    and end their subscriptions and sockets."""
    if not session_ids:
        return
    await services.sessions.revoke(session_ids)
    event = SessionEnded(member_id=member_id, session_ids=tuple(session_ids))
    await services.bus.publish(member_channel(member_id), event)

"""logOut: end one login session (its refresh-token family): its access tokens, its sockets
and its live subscriptions, on every instance."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from events.channels import member_channel
from events.member import SessionEnded
from infra.errors import Unauthenticated
from infra.services import Services
from infra.tokens import family_of
from infra.viewer import Viewer
from resolvers.accounts.sessions import end_sessions, family_for_token, revoke_families


async def log_out(*, viewer: Viewer | None, refresh_token: str | None, services: Services) -> bool:
    if viewer is None and not refresh_token:
        raise Unauthenticated("There is no session to log out of.")
    owners = await _sessions_to_end(viewer, refresh_token)  # session id -> member id
    revoked: list[int] = []
    if owners:
        async with in_transaction() as connection:
            revoked = await revoke_families(connection=connection, id__in=sorted(owners))
    own = family_of(viewer) if viewer is not None else None
    if viewer is not None:
        # Named by the access token that logged out: it ends that token's session (or, for a
        # token minted without one, that token's own subscriptions).
        await services.sessions.revoke([session for session in revoked if session == own])
        event = SessionEnded(member_id=viewer.id, token_id=viewer.token_id)
        await services.bus.publish(member_channel(viewer.id), event)
    for member_id in sorted({owners[session] for session in revoked if session != own}):
        others = [session for session in revoked if session != own and owners[session] == member_id]
        await end_sessions(services=services, member_id=member_id, session_ids=others)
    return True


async def _sessions_to_end(viewer: Viewer | None, refresh_token: str | None) -> dict[int, int]:
    owners: dict[int, int] = {}
    if viewer is not None and (family := family_of(viewer)) is not None:
        owners[family] = viewer.id
    if refresh_token:
        presented = await family_for_token(refresh_token)
        member_id = int(presented.member_id) if presented is not None else None  # type: ignore[attr-defined]
        # Someone else's refresh token does not end their session.
        if presented is not None and member_id is not None and (viewer is None or member_id == viewer.id):
            owners[presented.id] = member_id
    return owners

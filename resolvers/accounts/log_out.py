"""logOut: end one login session (its refresh-token family) and its live subscriptions."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from events.channels import member_channel
from events.member import SessionEnded
from infra.errors import Unauthenticated
from infra.services import Services
from infra.tokens import family_of
from infra.viewer import Viewer
from resolvers.accounts.sessions import family_for_token, revoke_families


async def log_out(*, viewer: Viewer | None, refresh_token: str | None, services: Services) -> bool:
    if viewer is None and not refresh_token:
        raise Unauthenticated("There is no session to log out of.")
    families: set[int] = set()
    if viewer is not None and (family := family_of(viewer)) is not None:
        families.add(family)
    if refresh_token:
        presented = await family_for_token(refresh_token)
        # Someone else's refresh token does not end their session.
        if presented is not None and (viewer is None or presented.member_id == viewer.id):  # type: ignore[attr-defined]
            families.add(presented.id)
    if families:
        async with in_transaction() as connection:
            await revoke_families(connection=connection, id__in=sorted(families))
    if viewer is not None:
        event = SessionEnded(member_id=viewer.id, token_id=viewer.token_id)
        await services.bus.publish(member_channel(viewer.id), event)
    return True

"""Hole 3: sessions could not be revoked.

After logOut the same access token still read ``me``; after changePassword other sessions kept
working for up to an hour; logout ended only streams of the exact access token; password
changes and refresh-token reuse ended no streams. Now a revoked session's access tokens are
refused on every request, and its sockets close (4403) on every instance within 2 s.
"""

from __future__ import annotations

from tests.security.conftest import (
    CHANGE_PASSWORD,
    LOG_OUT,
    ME,
    NEW_PASSWORD,
    PASSWORD,
    WithPassword,
    log_in,
)
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

REVOCATION_DEADLINE = 2.0


async def test_logout_ends_the_same_access_token_on_http(app: AppServer, member: WithPassword) -> None:
    # given a logged-in session
    account = await member()
    session = await log_in(app, account)
    async with GraphQLClient(app.url, token=session["accessToken"]) as client:
        # when it logs out and then uses its access token again
        assert (await client.execute(LOG_OUT)).ok() == {"logOut": True}
        result = await client.execute(ME)

    # then the token no longer reads anything
    assert result.code == "UNAUTHENTICATED"
    assert result.body.get("data") is None


async def test_change_password_ends_other_sessions_access_tokens_at_once(
    app: AppServer, member: WithPassword
) -> None:
    # given a member logged in on two devices
    account = await member()
    here, there = await log_in(app, account), await log_in(app, account)

    # when the first device changes the password
    async with GraphQLClient(app.url, token=here["accessToken"]) as device:
        changed = await device.execute(CHANGE_PASSWORD, {"current": PASSWORD, "new": NEW_PASSWORD})
        still_here = await device.execute(ME)
    async with GraphQLClient(app.url, token=there["accessToken"]) as other:
        result = await other.execute(ME)

    # then the other device's access token is refused right away; the first keeps working
    assert changed.ok() == {"changePassword": True}
    assert result.code == "UNAUTHENTICATED" and result.body.get("data") is None
    assert still_here.ok() == {"me": {"id": account.id, "nickname": account.member.nickname}}

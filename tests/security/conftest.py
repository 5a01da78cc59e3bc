"""Helpers of the attack tests: members with passwords, real sessions, sockets that get closed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
import websockets

from infra.passwords import get_passwords
from infra.settings import Settings
from tests.accounts.conftest import PASSWORD, log_in
from tests.accounts.kakao_provider import KakaoProvider
from tests.support.factories import Account, make_account, unique_email
from tests.support.ws import PROTOCOL, GraphQLWebSocket, ProtocolClosed

__all__ = ["PASSWORD", "log_in"]

ME = "query Me { me { id nickname } }"
LOG_OUT = "mutation LogOut($refreshToken: String) { logOut(refreshToken: $refreshToken) }"
REFRESH = """
mutation Refresh($refreshToken: String) {
  refreshTokens(refreshToken: $refreshToken) { accessToken refreshToken }
}
"""
CHANGE_PASSWORD = """
mutation Change($current: String!, $new: String!) {
  changePassword(currentPassword: $current, newPassword: $new)
}
"""
NEW_PASSWORD = "newpass99#"

WithPassword = Callable[..., Awaitable[Account]]


@pytest.fixture
def member(settings: Settings) -> WithPassword:
    """A member who signed up by email with ``PASSWORD``."""

    async def create() -> Account:
        account = await make_account(settings, email=unique_email("sec"))
        account.member.password_hash = await get_passwords(settings).hash(PASSWORD)
        await account.member.save(update_fields=["password_hash"])
        return account

    return create


@pytest.fixture(scope="session")
def kakao() -> Iterator[KakaoProvider]:
    provider = KakaoProvider()
    provider.start()
    yield provider
    provider.stop()


async def close_code(socket: GraphQLWebSocket, within: float) -> int | None:
    """The code the server closed ``socket`` with, or ``None`` if it stayed open ``within`` s."""
    try:
        code, _ = await asyncio.wait_for(socket.wait_closed(), within)
    except TimeoutError:
        return None
    return code


async def init_close_code(
    url: str, payload: dict[str, Any], headers: dict[str, str] | None = None
) -> int | None:
    """Open a socket, send ``connection_init`` and return the close code it got (``None``: acked)."""
    async with websockets.connect(url, subprotocols=[PROTOCOL], additional_headers=headers or {}) as raw:  # type: ignore[list-item]
        await raw.send(json.dumps({"type": "connection_init", "payload": payload}))
        try:
            reply = json.loads(await asyncio.wait_for(raw.recv(), 10))
        except websockets.ConnectionClosed:
            return raw.close_code
        assert reply["type"] == "connection_ack", reply
        return None


async def frames_until_closed(socket: GraphQLWebSocket, op: str, within: float) -> list[dict[str, Any]]:
    """Every message for ``op`` until the socket closes (or ``within`` seconds pass)."""
    frames: list[dict[str, Any]] = []
    deadline = asyncio.get_running_loop().time() + within
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            frames.append(await socket.receive(op, timeout=left))
        except (ProtocolClosed, TimeoutError):
            break
    return frames

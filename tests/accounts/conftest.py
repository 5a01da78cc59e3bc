"""Accounts test helpers: members with passwords, codes read from the SMTP sink, a Kakao stand-in."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from email.message import EmailMessage

import pytest

from infra.passwords import get_passwords
from infra.settings import Settings
from infra.tokens import hash_refresh_token
from models.accounts import TokenFamily
from tests.accounts.kakao_provider import KakaoProvider
from tests.support.factories import Account, make_account, unique_email
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer, SmtpSink

PASSWORD = "secret12!"
SESSION_LOG_IN = """
mutation($e: String!, $p: String!) { logIn(email: $e, password: $p) { refreshToken accessToken } }
"""


async def log_in(app: AppServer, account: Account) -> dict[str, str]:
    """A new session (token family) for ``account``: its access and refresh tokens."""
    async with GraphQLClient(app.url) as anonymous:
        result = await anonymous.execute(SESSION_LOG_IN, {"e": account.member.email, "p": PASSWORD})
    session: dict[str, str] = result.ok()["logIn"]
    return session


async def family_of(refresh_token: str) -> TokenFamily:
    return await TokenFamily.get(tokens__token_hash=hash_refresh_token(refresh_token))


REQUEST_CODE = "mutation Request($email: String!) { requestEmailVerification(email: $email) }"


def from_fresh_ip(client: GraphQLClient) -> str:
    """Make ``client`` appear to come from an IP no other test used (uvicorn trusts
    X-Forwarded-For from loopback), so per-IP counters shared in Redis start at zero."""
    ip = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
    client.http.headers["x-forwarded-for"] = ip
    return ip


def code_in(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    match = re.search(r"\b(\d{6})\b", body.get_content())
    assert match, body.get_content()
    return match.group(1)


@pytest.fixture
def account_with_password(settings: Settings) -> Callable[..., Awaitable[Account]]:
    """A member who signed up by email with ``password``."""

    async def create(password: str = PASSWORD, *, email: str | None = None) -> Account:
        account = await make_account(settings, email=email or unique_email())
        account.member.password_hash = await get_passwords(settings).hash(password)
        await account.member.save(update_fields=["password_hash"])
        return account

    return create


@pytest.fixture
def mailed_code(smtp: SmtpSink) -> Callable[[GraphQLClient, str], Awaitable[str]]:
    """Ask the app for a code for ``email`` and read it from the mail that arrives."""

    async def request(client: GraphQLClient, email: str) -> str:
        before = len(smtp.messages_to(email))
        client_result = await client.execute(REQUEST_CODE, {"email": email})
        assert client_result.ok() == {"requestEmailVerification": True}
        return code_in(smtp.wait_for(email, count=before + 1)[-1])

    return request


@pytest.fixture
async def forged_token_client(app: AppServer) -> AsyncIterator[GraphQLClient]:
    """A client of the shared app presenting a forged access token."""
    async with GraphQLClient(app.url, token="eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.") as client:
        yield client


@pytest.fixture(scope="session")
def kakao() -> Iterator[KakaoProvider]:
    provider = KakaoProvider()
    provider.start()
    yield provider
    provider.stop()

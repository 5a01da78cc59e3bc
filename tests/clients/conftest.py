"""Fixtures for the real-client tests: Node packages, headless Chromium, signed-up members.

Node packages come from the npm registry (pinned by each lock file) at test setup; Chromium is
the Debian package. `.ci/run` installs both on a fresh machine; these fixtures skip only when
the tool itself is missing.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from tests.support.factories import unique_email, unique_nickname
from tests.support.graphql import GraphQLClient
from tests.support.servers import PROJECT, AppServer, SmtpSink

APOLLO_DIR = Path(__file__).resolve().parent / "apollo"
ARTIFACTS = PROJECT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]

REQUEST_EMAIL_VERIFICATION = """
mutation RequestEmailVerification($email: String!) { requestEmailVerification(email: $email) }
"""

CODE = re.compile(r"\b(\d{6})\b")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (.ci/run installs it)")
    return found


@pytest.fixture(scope="session")
def node() -> str:
    _tool("npm")
    return _tool("node")


@pytest.fixture(scope="session")
def apollo_project(node: str) -> Path:
    """tests/clients/apollo with its node_modules installed from the lock file."""
    stamp = APOLLO_DIR / "node_modules" / ".package-lock.json"
    lock = APOLLO_DIR / "package-lock.json"
    if not stamp.exists() or stamp.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=APOLLO_DIR, check=True
        )
    return APOLLO_DIR


@pytest.fixture(scope="session")
def graphiql_assets(node: str) -> Path:
    """static/vendor/ filled by the Makefile's `assets` target (a no-op when up to date)."""
    subprocess.run(["make", "--no-print-directory", "assets"], cwd=PROJECT, check=True)
    return PROJECT / "static" / "vendor"


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("chromium is not installed (.ci/run installs the Debian package)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@dataclass
class Credentials:
    email: str
    password: str
    nickname: str
    code: str


def verification_code(smtp: SmtpSink, email: str) -> str:
    message = smtp.wait_for(email)[-1]
    body = message.get_body(("plain", "html"))
    text = body.get_content() if body is not None else str(message)
    found = CODE.search(text)
    assert found, f"no 6-digit code in the mail to {email}"
    return found.group(1)


@pytest.fixture
def email_code(app: AppServer, smtp: SmtpSink) -> Callable[[str], Awaitable[Credentials]]:
    """Ask the server to mail a sign-up code, and read it from the SMTP sink like a user would."""

    async def request(prefix: str) -> Credentials:
        email = unique_email(prefix)
        async with GraphQLClient(app.url) as client:
            result = await client.execute(REQUEST_EMAIL_VERIFICATION, {"email": email})
        assert result.ok()["requestEmailVerification"] is True
        code = await asyncio.to_thread(verification_code, smtp, email)
        nickname = unique_nickname(prefix[:3])
        return Credentials(email=email, password="Eroom2026!x", nickname=nickname, code=code)

    return request


@pytest.fixture(scope="session")
def web_app(node: str) -> Path:
    """clients/web/dist/ built by the Makefile's `web` target (a no-op when the stamp is current)."""
    subprocess.run(["make", "--no-print-directory", "web"], cwd=PROJECT, check=True)
    return PROJECT / "clients" / "web" / "dist"

"""The web app keeps a session alive past its access token's life, in Chromium.

On a server whose access tokens live 3 seconds: the app refreshes the session from its
HttpOnly refresh cookie before the token ends (one tab at a time), re-opens the subscription
socket with the new cookie, resumes the room from its cursor, and a page opened after the
access cookie expired starts with a silent refresh instead of the log-in form.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from infra.passwords import get_passwords
from infra.settings import Settings
from models.chat import Message
from tests.clients.web_pages import WAIT_MS, MemberBrowser
from tests.support.factories import Account, make_challenge
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

TOKEN_TTL = 3
PASSWORD = "Eroom2026!x"
SEND_MESSAGE = """
mutation SendMessage($challengeId: ID!, $body: String!) {
  sendMessage(challengeId: $challengeId, body: $body) { id }
}
"""
JOIN_CHALLENGE = "mutation JoinChallenge($id: ID!) { joinChallenge(id: $id) { role } }"


@pytest.fixture
def short_tokens(start_app: Callable[..., AppServer]) -> AppServer:
    return start_app(ACCESS_TOKEN_TTL=str(TOKEN_TTL))


@pytest.fixture
async def leader_browser(
    browser: Browser, short_tokens: AppServer, web_app: Path
) -> AsyncIterator[MemberBrowser]:
    opened = await MemberBrowser.open(browser, short_tokens, locale="en-US")
    yield opened
    await opened.close()


async def with_password(account: Account, settings: Settings) -> Account:
    account.member.password_hash = await get_passwords(settings).hash(PASSWORD)
    await account.member.save(update_fields=["password_hash"])
    return account


async def log_in(browser: MemberBrowser, account: Account) -> None:
    page = browser.page
    await browser.goto("/login")
    assert account.member.email is not None
    await page.locator("input[name=email]").fill(account.member.email)
    await page.locator("input[name=password]").fill(PASSWORD)
    await page.locator("form button[type=submit]").click()
    await expect(page.get_by_test_id("viewer")).to_contain_text(account.member.nickname, timeout=WAIT_MS)


async def test_chat_stays_live_past_the_access_tokens_life(
    leader_browser: MemberBrowser,
    short_tokens: AppServer,
    new_account: Callable[..., Awaitable[Account]],
    settings: Settings,
    artifacts: Path,
) -> None:
    # given a leader logged in on the app with 3-second access tokens, in the chat of a room
    # another member posts to over plain HTTP
    leader = await with_password(await new_account(), settings)
    challenge = await make_challenge(leader)
    other = await new_account()
    async with GraphQLClient(short_tokens.url, token=other.token) as http:
        (await http.execute(JOIN_CHALLENGE, {"id": str(challenge.id)})).ok()
        await log_in(leader_browser, leader)
        await leader_browser.open_tab(str(challenge.id), "chat")
        await expect(leader_browser.page.locator(".connection[data-state=live]")).to_be_visible(
            timeout=WAIT_MS
        )

        # when three token lifetimes pass, and then the other member and the leader write
        await asyncio.sleep(3 * TOKEN_TTL)
        body = f"still there? {secrets.token_hex(3)}"
        (await http.execute(SEND_MESSAGE, {"challengeId": str(challenge.id), "body": body})).ok()
        await expect(leader_browser.page.locator(".messages .body", has_text=body)).to_have_count(
            1, timeout=WAIT_MS
        )
        await leader_browser.send_message("yes, still here")

    # then the session was refreshed silently: the socket was re-opened with the new cookie,
    # the leader is still logged in and both messages are stored once
    page = leader_browser.page
    assert leader_browser.sockets >= 2
    await expect(page.get_by_test_id("viewer")).to_contain_text(leader.member.nickname)
    assert await leader_browser.chat_bodies() == [body, "yes, still here"]
    assert await Message.filter(room__challenge_id=challenge.id).count() == 2
    assert leader_browser.console_errors == []
    await leader_browser.screenshot(artifacts, "web-session-refreshed.png")


async def test_page_opened_after_the_access_cookie_expired_refreshes_silently(
    leader_browser: MemberBrowser,
    new_account: Callable[..., Awaitable[Account]],
    settings: Settings,
) -> None:
    # given a member who logged in, then left the app for longer than the access token lives
    # (the browser drops the access cookie; the refresh cookie stays)
    member = await with_password(await new_account(), settings)
    await log_in(leader_browser, member)
    await leader_browser.page.goto("about:blank")
    await asyncio.sleep(TOKEN_TTL + 1)
    names = {cookie["name"] for cookie in await leader_browser.context.cookies()}
    assert names == {"refresh_token"}

    # when the app is opened again
    await leader_browser.goto("/me")

    # then it starts logged in, on the page asked for
    await expect(leader_browser.page.get_by_test_id("viewer")).to_contain_text(
        member.member.nickname, timeout=WAIT_MS
    )
    await expect(leader_browser.page.locator(".my-page h1")).to_have_text(member.member.nickname)
    assert leader_browser.console_errors == []

"""The web app at /app/ driven as a person would: one browser context per member.

Every request to another host is aborted and recorded (the app must work offline from the
internet, like GraphiQL), and every console error or uncaught exception is recorded too.
Selectors are names and roles that do not depend on the language, so the same steps run in a
Korean and an English browser.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    Route,
    expect,
)

from tests.support.factories import unique_email, unique_nickname
from tests.support.servers import AppServer


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain-colour PNG (the server checks the bytes, not the name)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


WAIT_MS = 15_000
UNSIZED_IMAGES = """() => [...document.images]
  .filter((image) => !image.getAttribute('width') || !image.getAttribute('height'))
  .map((image) => image.src)"""


@dataclass(frozen=True)
class NewAccount:
    email: str
    nickname: str
    password: str = "Eroom2026!x"

    @classmethod
    def unique(cls, prefix: str) -> NewAccount:
        return cls(email=unique_email(prefix), nickname=unique_nickname(prefix[:3]))


@dataclass
class MemberBrowser:
    """A member's browser context on the app, with what it tried to load elsewhere."""

    context: BrowserContext
    page: Page
    server: AppServer
    aborted: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    sockets: int = 0

    @classmethod
    async def open(cls, browser: Browser, server: AppServer, *, locale: str) -> MemberBrowser:
        context = await browser.new_context(
            viewport={"width": 1280, "height": 860}, locale=locale, timezone_id="Asia/Seoul"
        )
        member = cls(context=context, page=await context.new_page(), server=server)
        await member.install()
        return member

    async def install(self) -> None:
        host = urlsplit(self.server.url).netloc

        async def route(route: Route, request: Request) -> None:
            if urlsplit(request.url).netloc == host:
                await route.continue_()
            else:
                self.aborted.append(request.url)
                await route.abort()

        def console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.console_errors.append(message.text)

        def socket(_: object) -> None:
            self.sockets += 1

        await self.context.route("**/*", route)
        self.page.on("console", console)
        self.page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        self.page.on("websocket", socket)

    async def goto(self, path: str) -> None:
        response = await self.page.goto(f"{self.server.url}/app{path}")
        assert response is not None and response.status == 200

    async def sign_up(self, account: NewAccount, mailed_code: Callable[[str], Awaitable[str]]) -> None:
        """Sign up as a person does: ask for the code, read it from the mail, fill the rest."""
        page = self.page
        await self.goto("/signup")
        await page.locator("input[name=email]").fill(account.email)
        await page.locator("form").first.locator("button[type=submit]").click()
        await page.locator("input[name=code]").fill(await mailed_code(account.email))
        await page.locator("input[name=nickname]").fill(account.nickname)
        await page.locator("input[name=password]").fill(account.password)
        await page.locator("form").nth(1).locator("button[type=submit]").click()
        await expect(page.get_by_test_id("viewer")).to_contain_text(account.nickname, timeout=WAIT_MS)

    async def create_challenge(self, title: str) -> str:
        page = self.page
        await self.goto("/challenges/new")
        await page.locator("input[name=title]").fill(title)
        await page.locator("textarea[name=description]").fill(f"{title}: 매일 30분 알고리즘 문제를 풉니다.")
        await page.locator("input[name=authExplanation]").fill("풀이 화면을 찍어 올리기")
        await page.locator("input[name=thumbnail]").set_input_files(
            files=[{"name": "thumbnail.png", "mimeType": "image/png", "buffer": png(320, 180, (232, 89, 12))}]
        )
        await page.locator("form button[type=submit]").click()
        await page.wait_for_url(re.compile(r".*/app/challenges/\d+$"), timeout=WAIT_MS)
        return page.url.rsplit("/", 1)[-1]

    async def open_tab(self, challenge_id: str, tab: str) -> None:
        await self.goto(f"/challenges/{challenge_id}?tab={tab}")

    async def chat_bodies(self) -> list[str]:
        return list(await self.page.locator(".messages .body").all_inner_texts())

    async def send_message(self, body: str) -> None:
        composer = self.page.locator("form.composer")
        await composer.locator("input").fill(body)
        await composer.locator("button[type=submit]").click()
        await expect(self.page.locator(".messages .body", has_text=body)).to_have_count(1, timeout=WAIT_MS)

    def message(self, body: str) -> Locator:
        """The chat message whose text is ``body``."""
        return self.page.locator(".messages .message").filter(has=self.page.locator(".body", has_text=body))

    async def type_without_sending(self, text: str) -> None:
        await self.page.locator("form.composer input").press_sequentially(text)

    async def edit_message(self, body: str, new_body: str) -> None:
        # By id: while the edit box is open the message shows no body to find it by.
        message_id = await self.message(body).get_attribute("data-message-id")
        message = self.page.locator(f".messages .message[data-message-id='{message_id}']")
        await message.locator("button.edit").click()
        await message.locator(".edit-box input").fill(new_body)
        await message.locator(".edit-box button[type=submit]").click()
        await expect(self.message(new_body).locator(".edited")).to_be_visible(timeout=WAIT_MS)

    async def react(self, body: str, emoji: str) -> None:
        message = self.message(body)
        await message.locator("button.add-reaction").click()
        await message.locator(f".picker button[data-emoji='{emoji}']").click()

    async def reply(self, body: str, answer: str) -> None:
        await self.message(body).locator("button.reply").click()
        await expect(self.page.locator("form.composer .replying")).to_be_visible()
        await self.send_message(answer)

    async def unsized_images(self) -> list[str]:
        return list(await self.page.evaluate(UNSIZED_IMAGES))

    async def screenshot(self, artifacts: Path, name: str) -> None:
        assert await self.unsized_images() == []
        await self.page.screenshot(path=str(artifacts / name))

    async def close(self) -> None:
        await self.context.close()

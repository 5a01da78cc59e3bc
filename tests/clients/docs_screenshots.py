"""The README's screenshots of the web app, taken from the demo data.

    make seed && make run                     # another shell
    .venv/bin/python -m tests.clients.docs_screenshots [http://127.0.0.1:8000]

Two demo members (Korean browsers) log in; the leader's view of the demo's first challenge
becomes docs/web-challenge.png, and its chat room docs/web-chat.png: both in it, the member
studying, a message of the member's edited, pinned and answered, reactions on it, and the
member typing the next one, as the leader sees it.
Korean text needs a Korean font on the machine (Debian: fonts-nanum).
"""

from __future__ import annotations

import asyncio
import shutil
import sys

import httpx
from playwright.async_api import Browser, Locator, Page, async_playwright, expect

from resolvers.seed import MEMBERS, PASSWORD
from tests.clients.conftest import CHROMIUM_ARGS
from tests.support.servers import PROJECT

DOCS = PROJECT / "docs"
CHALLENGE = """
query DemoChallenge($query: String!) {
  challenges(filter: {query: $query}, first: 1) {
    nodes { id memberships { role member { nickname } } }
  }
}
"""


def demo_challenge(base: str) -> tuple[str, list[str]]:
    """The first demo challenge's id and the emails of its leader and another member."""
    response = httpx.post(f"{base}/graphql", json={"query": CHALLENGE, "variables": {"query": "알고리즘"}})
    node = response.json()["data"]["challenges"]["nodes"][0]
    emails = {member.nickname: member.email for member in MEMBERS}
    members = [
        emails[item["member"]["nickname"]]
        for item in node["memberships"]
        if item["member"]["nickname"] in emails
    ]
    return node["id"], members[:2]


async def logged_in(browser: Browser, base: str, email: str) -> Page:
    context = await browser.new_context(
        viewport={"width": 1280, "height": 860}, locale="ko-KR", timezone_id="Asia/Seoul"
    )
    page = await context.new_page()
    await page.goto(f"{base}/app/login")
    await page.locator("input[name=email]").fill(email)
    await page.locator("input[name=password]").fill(PASSWORD)
    await page.locator("form button[type=submit]").click()
    await expect(page.get_by_test_id("viewer")).to_be_visible()
    return page


async def send(page: Page, body: str) -> Locator:
    await page.locator("form.composer input").fill(body)
    await page.locator("form.composer button[type=submit]").click()
    message = page.locator(".messages .message").filter(has=page.locator(".body", has_text=body))
    await expect(message).to_have_count(1)
    return message


async def chat_scene(leader: Page, member: Page) -> None:
    """Studying, an edit, reactions, a reply, a pin and typing, each seen by the other."""
    await expect(leader.locator(".presence .count")).to_have_text("2")
    await member.locator(".studying-toggle").click()
    await expect(leader.locator(".presence li[data-status=STUDYING]")).to_have_count(1)
    sent = await send(member, "오늘 문제 다 풀었어요")
    message_id = await sent.get_attribute("data-message-id")
    posted = leader.locator(f".message[data-message-id='{message_id}']")
    own = member.locator(f".message[data-message-id='{message_id}']")  # by id: editing hides the body
    await own.locator("button.edit").click()
    await own.locator(".edit-box input").fill("오늘 3문제 다 풀었어요! 🎉")
    await own.locator(".edit-box button[type=submit]").click()
    await expect(posted.locator(".edited")).to_be_visible()
    for page, emoji in ((leader, "👍"), (leader, "🔥"), (member, "👍")):
        mine = page.locator(f".message[data-message-id='{message_id}']")
        await mine.locator("button.add-reaction").click()
        await mine.locator(f".picker button[data-emoji='{emoji}']").click()
    await expect(posted.locator(".reaction[data-emoji='👍'] .n")).to_have_text("2")
    await posted.locator("button.pin").click()
    await posted.locator("button.reply").click()
    await send(leader, "멋져요! 내일 아침에도 같이 풀어요")
    await expect(member.locator(".pinned")).to_be_visible()
    await member.locator("form.composer input").press_sequentially("좋아요, 7시에")
    await expect(leader.locator(".typing[data-count='1']")).to_be_attached()


async def main(base: str) -> None:
    challenge_id, (leader_email, member_email) = demo_challenge(base)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS
        )
        leader = await logged_in(browser, base, leader_email)
        member = await logged_in(browser, base, member_email)
        await leader.goto(f"{base}/app/challenges/{challenge_id}")
        await expect(leader.locator(".leaderboard li").first).to_be_visible()
        await leader.screenshot(path=str(DOCS / "web-challenge.png"))
        for page in (leader, member):
            await page.goto(f"{base}/app/challenges/{challenge_id}?tab=chat")
        await chat_scene(leader, member)
        await leader.screenshot(path=str(DOCS / "web-chat.png"))
        await browser.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"))

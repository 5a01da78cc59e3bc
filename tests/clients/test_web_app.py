"""The reference web app (clients/web) in headless Chromium: two members, one story.

A leader in a Korean browser and a member in an English one sign up with the code mailed to
them, create and join a challenge, post a proof with an image and review it, see the
notification arrive in the bell, chat live both ways, and the member who drops off the network
finds every message once when back. Then the chat's next features, each seen by the other
member live: "studying now", typing, an edit, a reaction, a reply and a pin; and an unread
count on my page that reading the room clears. Nothing may be loaded from another host,
nothing may log a console error, every image is sized, and the screenshots land in
tests/artifacts/.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from models.challenges import Membership
from models.chat import Message, Reaction, Room
from models.proofs import Proof, ProofStatus
from tests.clients.conftest import verification_code
from tests.clients.web_pages import WAIT_MS, MemberBrowser, NewAccount, png
from tests.support.servers import AppServer, SmtpSink

MailedCode = Callable[[str], Awaitable[str]]
GREETING = "안녕하세요! 같이 열심히 해요"
REPLY = "Hi! Glad to be here"
TYPED = "Solved all three"
EDITED = "Solved all three problems today"
THUMBS_UP = "👍"
CHEER = "대단해요! 내일도 화이팅"
UNREAD = "내일 아침에 같이 풀어요"


@pytest.fixture
def mailed_code(smtp: SmtpSink) -> MailedCode:
    """The sign-up code in the newest mail to an address, read from the SMTP sink."""

    async def read(email: str) -> str:
        return await asyncio.to_thread(verification_code, smtp, email)

    return read


@pytest.fixture
async def two_members(
    browser: Browser, app: AppServer, web_app: Path
) -> AsyncIterator[tuple[MemberBrowser, MemberBrowser]]:
    leader = await MemberBrowser.open(browser, app, locale="ko-KR")
    member = await MemberBrowser.open(browser, app, locale="en-US")
    yield leader, member
    await leader.close()
    await member.close()


async def sign_up_both(leader: MemberBrowser, member: MemberBrowser, mailed_code: MailedCode) -> None:
    await leader.sign_up(NewAccount.unique("leader"), mailed_code)
    await member.sign_up(NewAccount.unique("member"), mailed_code)


async def join_by_search(member: MemberBrowser, title: str) -> None:
    page = member.page
    await member.goto(f"/?q={title.split()[-1]}")
    await page.locator(".challenge-card", has_text=title).click()
    await page.locator(".membership button").click()
    await expect(page.locator(".membership .role")).to_be_visible(timeout=WAIT_MS)


async def post_proof(member: MemberBrowser, challenge_id: str, content: str) -> None:
    page = member.page
    await member.open_tab(challenge_id, "proofs")
    await page.locator("textarea[name=content]").fill(content)
    await page.locator("input[name=image]").set_input_files(
        files=[{"name": "proof.png", "mimeType": "image/png", "buffer": png(64, 48, (26, 127, 55))}]
    )
    await page.locator("form.card button[type=submit]").click()
    await expect(page.locator(".proof[data-status=WAITING]", has_text=content)).to_be_visible(timeout=WAIT_MS)


async def approve_first_waiting(leader: MemberBrowser, challenge_id: str) -> None:
    page = leader.page
    await leader.open_tab(challenge_id, "proofs")
    await page.locator(".proof[data-status=WAITING] .actions button").first.click()
    await expect(page.locator(".proof[data-status=APPROVED]")).to_have_count(1, timeout=WAIT_MS)


async def open_chat_together(leader: MemberBrowser, member: MemberBrowser, challenge_id: str) -> None:
    for browser in (leader, member):
        await browser.open_tab(challenge_id, "chat")
    for browser in (leader, member):
        await expect(browser.page.locator(".presence .count")).to_have_text("2", timeout=WAIT_MS)


async def talk_both_ways(leader: MemberBrowser, member: MemberBrowser) -> None:
    for sender, receiver, body in ((leader, member, GREETING), (member, leader, REPLY)):
        await sender.send_message(body)
        await expect(receiver.page.locator(".messages .body", has_text=body)).to_have_count(
            1, timeout=WAIT_MS
        )


async def open_bell_with_one_approval(member: MemberBrowser) -> None:
    await expect(member.page.get_by_test_id("unread-count")).to_have_text("1", timeout=WAIT_MS)
    await member.page.locator(".bell button.icon").click()
    await expect(member.page.locator(".dropdown li[data-type=APPROVE]")).to_have_count(1)


async def talk_while_offline(leader: MemberBrowser, member: MemberBrowser) -> list[str]:
    """The leader sends three messages while the member is offline; the member comes back."""
    await member.context.set_offline(True)
    await expect(member.page.locator(".connection[data-state=offline]")).to_be_visible(timeout=WAIT_MS)
    missed = [f"while you were away {n}" for n in range(3)]
    for body in missed:
        await leader.send_message(body)
    assert not set(missed) & set(await member.chat_bodies())
    await member.context.set_offline(False)
    return missed


async def study_and_type(leader: MemberBrowser, member: MemberBrowser) -> None:
    """Live only: the leader sees the member's status and typing come, and typing go on send."""
    await member.page.locator(".studying-toggle").click()
    await expect(leader.page.locator(".presence li[data-status=STUDYING]")).to_have_count(1, timeout=WAIT_MS)
    await member.type_without_sending(TYPED)
    await expect(leader.page.locator(".typing[data-count='1']")).to_be_attached(timeout=WAIT_MS)
    await member.page.locator("form.composer button[type=submit]").click()
    await expect(leader.message(TYPED)).to_have_count(1, timeout=WAIT_MS)
    await expect(leader.page.locator(".typing[data-count='0']")).to_be_attached(timeout=WAIT_MS)


async def edit_react_reply_pin(leader: MemberBrowser, member: MemberBrowser) -> None:
    """Durable: each change by one member shows in the other's room by its event."""
    await member.edit_message(TYPED, EDITED)
    await expect(leader.message(EDITED).locator(".edited")).to_be_visible(timeout=WAIT_MS)
    await leader.react(EDITED, THUMBS_UP)
    chip = f".reaction[data-emoji='{THUMBS_UP}']"
    await expect(member.message(EDITED).locator(f"{chip} .n")).to_have_text("1", timeout=WAIT_MS)
    await expect(member.message(EDITED).locator(chip)).to_have_attribute("aria-pressed", "false")
    await expect(leader.message(EDITED).locator(chip)).to_have_attribute("aria-pressed", "true")
    await leader.reply(EDITED, CHEER)
    await expect(member.message(CHEER).locator(".reply-quote")).to_contain_text(EDITED, timeout=WAIT_MS)
    await leader.message(EDITED).locator("button.pin").click()
    await expect(member.page.locator(".pinned")).to_contain_text(EDITED, timeout=WAIT_MS)


async def unread_until_read(leader: MemberBrowser, member: MemberBrowser) -> None:
    """A message sent while the member is elsewhere is unread on my page until the room opens."""
    my_page = member.page.locator("header.top nav a[href='/app/me']")
    await my_page.click()
    await expect(member.page.locator(".my-rooms li")).to_have_count(1, timeout=WAIT_MS)
    await leader.send_message(UNREAD)
    await member.page.reload()
    await expect(member.page.locator(".my-rooms .unread-badge")).to_have_text("1", timeout=WAIT_MS)
    await member.page.locator(".my-rooms li a").click()
    await expect(member.message(UNREAD)).to_have_count(1, timeout=WAIT_MS)
    await my_page.click()
    await expect(member.page.locator(".my-rooms li")).to_have_count(1, timeout=WAIT_MS)
    await expect(member.page.locator(".my-rooms .unread-badge")).to_have_count(0, timeout=WAIT_MS)


async def use_the_chat_features(leader: MemberBrowser, member: MemberBrowser, artifacts: Path) -> None:
    await study_and_type(leader, member)
    await edit_react_reply_pin(leader, member)
    await member.screenshot(artifacts, "web-chat-features.png")
    await unread_until_read(leader, member)


async def assert_chat_features_stored(challenge_id: str) -> None:
    edited = await Message.get(room__challenge_id=int(challenge_id), body=EDITED)
    assert edited.edited_at is not None
    reactions = await Reaction.filter(message_id=edited.id).values_list("emoji", flat=True)
    assert reactions == [THUMBS_UP]
    cheer = await Message.get(room__challenge_id=int(challenge_id), body=CHEER)
    assert cheer.reply_to_id == edited.id
    room = await Room.get(challenge_id=int(challenge_id))
    assert room.pinned_message_id == edited.id
    newest = await Message.filter(room_id=room.id).order_by("-seq").first()
    assert newest is not None and newest.body == UNREAD
    reads = await Membership.filter(challenge_id=int(challenge_id)).values_list("read_seq", flat=True)
    assert newest.seq in reads


async def test_two_members_go_through_the_whole_story(
    two_members: tuple[MemberBrowser, MemberBrowser], mailed_code: MailedCode, artifacts: Path
) -> None:
    leader, member = two_members
    title = f"알고리즘 30일 {secrets.token_hex(3)}"

    # given two members signed up with their mailed codes, a challenge of the leader's that
    # the other found by keyword and joined, and a proof (with an image) of the member's
    await sign_up_both(leader, member, mailed_code)
    challenge_id = await leader.create_challenge(title)
    await join_by_search(member, title)
    await member.screenshot(artifacts, "web-challenge.png")
    await post_proof(member, challenge_id, "오늘 3문제 풀었어요")
    await expect(member.page.locator(".proof .proof-image")).to_have_count(1)

    # when the leader approves it
    await approve_first_waiting(leader, challenge_id)
    await leader.screenshot(artifacts, "web-proofs.png")

    # then the member's bell rings live with the approval
    await open_bell_with_one_approval(member)
    await member.screenshot(artifacts, "web-notification.png")
    proof = await Proof.get(challenge_id=int(challenge_id))
    assert proof.status == ProofStatus.APPROVED

    # when both open the chat room and talk both ways
    await open_chat_together(leader, member, challenge_id)
    await talk_both_ways(leader, member)

    # and the member drops off the network while the leader goes on talking
    missed = await talk_while_offline(leader, member)

    # then the member's room catches up from its cursor: every message once, in order
    everything = [GREETING, REPLY, *missed]
    await expect(member.page.locator(".messages .body")).to_have_count(len(everything), timeout=WAIT_MS)
    await expect(member.page.locator(".connection[data-state=live]")).to_be_visible(timeout=WAIT_MS)
    assert await member.chat_bodies() == everything
    assert await leader.chat_bodies() == everything
    assert member.sockets >= 2  # the socket really was dropped and opened again
    stored = (
        await Message.filter(room__challenge_id=int(challenge_id))
        .order_by("seq")
        .values_list("body", flat=True)
    )
    assert stored == everything
    await leader.screenshot(artifacts, "web-chat.png")
    await member.screenshot(artifacts, "web-chat-resumed.png")

    # when one studies, types, edits, and the other reacts, replies and pins; then one reads late
    await use_the_chat_features(leader, member, artifacts)

    # then each change is stored, and the member's read position is the newest message
    await assert_chat_features_stored(challenge_id)

    # and nothing came from another host, and nothing went wrong in either console
    assert leader.aborted == member.aborted == []
    assert leader.console_errors == member.console_errors == []

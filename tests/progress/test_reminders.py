"""REMINDER over real servers: once per member, challenge and period, only for members whose
current period is not done, however many rounds, ticks and restarts run; live on the
``notifications`` subscription."""

from __future__ import annotations

import asyncio

from tests.progress.travel import JOIN, Travel, call, create_challenge, notices, prove
from tests.support.ws import GraphQLWebSocket

NOTIFICATIONS = "subscription { notifications { type content challengeId } }"
# From midnight on: every round of the day finds today's period due.
ANY_HOUR = {"REMINDER_HOUR": "0"}
FAST_ROUNDS = {"SCHEDULER_INTERVAL": "0.3", **ANY_HOUR}


async def test_reminder_goes_once_to_the_member_who_has_not_posted(travel: Travel) -> None:
    # given a daily challenge where the leader (approved) and the poster (waiting) posted today
    node = travel.node(0)
    leader, poster, idler = [await travel.sign_up(node, prefix) for prefix in ("lead", "post", "idle")]
    challenge = await create_challenge(node, leader, days=7)
    for member in (poster, idler):
        await call(node, member, JOIN, {"id": challenge})
    await prove(node, leader, challenge, approver=None)
    await prove(node, poster, challenge, approver=None)
    node.stop()

    # when a server with a fast scheduler runs, the idler listening
    node = travel.node(0, **FAST_ROUNDS)
    socket = await GraphQLWebSocket.connect(node.ws_url, token=idler.token)
    try:
        operation = await socket.subscribe(NOTIFICATIONS)
        live = (await socket.next_data(operation, timeout=20))["notifications"]
        await asyncio.sleep(1.5)  # several more rounds
        await socket.expect_nothing(operation, within=0.5)
    finally:
        await socket.close()
    # and hand-run rounds and a restart add their own attempts
    await travel.tick(0, **ANY_HOUR)
    node.stop()
    node = travel.node(0, **FAST_ROUNDS)
    await travel.tick(0, **ANY_HOUR)
    await asyncio.sleep(1)

    # then exactly one REMINDER, to the idler only
    assert live["type"] == "REMINDER" and live["challengeId"] == challenge
    assert "인증" in live["content"]
    assert len(await notices(node, idler, "REMINDER", challenge)) == 1
    assert await notices(node, poster, "REMINDER", challenge) == []
    assert await notices(node, leader, "REMINDER", challenge) == []


async def test_reminder_comes_again_for_the_next_period(travel: Travel) -> None:
    # given a reminded idler, and a poster who posted on day 0 only
    node = travel.node(0)
    leader, poster, idler = [await travel.sign_up(node, prefix) for prefix in ("lead", "post", "idle")]
    challenge = await create_challenge(node, leader, days=7)
    for member in (poster, idler):
        await call(node, member, JOIN, {"id": challenge})
    await prove(node, leader, challenge, approver=None)
    await prove(node, poster, challenge, approver=leader)
    assert "1 reminder(s)" in await travel.tick(0, **ANY_HOUR)

    # when day 1 is run twice
    first, second = await travel.tick(1, **ANY_HOUR), await travel.tick(1, **ANY_HOUR)

    # then day 1 reminds all three once (nobody posted yet), and the second run adds nothing
    assert "3 reminder(s)" in first and "0 reminder(s)" in second
    assert len(await notices(node, idler, "REMINDER", challenge)) == 2
    assert len(await notices(node, poster, "REMINDER", challenge)) == 1

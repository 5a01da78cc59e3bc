"""A rolling restart under load loses nothing: nginx in front of 2 instances on PostgreSQL + Redis,
50 subscribers and 5 senders, every instance restarted twice (docs/OPERATIONS.md has the figures)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

from deploy.cluster import Cluster
from tests.conftest import postgres_only
from tests.deploy.clients import SEND_MESSAGE, Sender, Subscriber
from tests.support.factories import add_member, make_account, make_challenge
from tests.support.graphql import GraphQLClient

SUBSCRIBERS = 50
SENDERS = 5
SEND_INTERVAL = 0.5  # per sender: 10 messages/s in all, each delivered to 50 sockets
RESTART_ROUNDS = 2

pytestmark = [postgres_only, pytest.mark.slow]


async def _room(settings: Any) -> tuple[str, list[Any], list[Any]]:
    leader = await make_account(settings, session=True)
    challenge = await make_challenge(leader, title="Rolling restart", limit_attendance=100)
    people = [await make_account(settings, session=True) for _ in range(SUBSCRIBERS + SENDERS - 1)]
    for account in people:
        await add_member(challenge, account)
    accounts = [leader, *people]
    return str(challenge.id), accounts[:SENDERS], accounts[SENDERS:]


async def _send(cluster: Cluster, token: str, challenge_id: str) -> str:
    """A message before the test's, so that every client has a cursor to resume from."""
    async with GraphQLClient(cluster.url, token=token) as client:
        sent = await client.execute(SEND_MESSAGE, {"challengeId": challenge_id, "body": "hello"})
    return str(sent.ok()["sendMessage"]["cursor"])


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


async def _until(check: Callable[[], bool], within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(0.1)
    return check()


def _report(senders: list[Sender], subscribers: list[Subscriber], restarts: int, seconds: float) -> str:
    latencies = sorted(latency for s in senders for latency in s.latencies)
    acknowledged = sum(len(s.acknowledged) for s in senders)
    return (
        f"[rolling restart] {acknowledged} messages acknowledged during {restarts} restarts in "
        f"{seconds:.0f} s, {sum(s.failed_attempts for s in senders)} attempts retried, send latency "
        f"p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, p99 {_p99(latencies) * 1000:.0f} ms; "
        f"resumes by cursor per subscriber: min {min(s.resumed_by_cursor for s in subscribers)}"
    )


async def test_rolling_restart_loses_no_acknowledged_message(cluster: Cluster, settings: Any) -> None:
    # given 50 subscribers of a room, resuming from where their history ends, and 5 senders
    challenge_id, sender_accounts, subscriber_accounts = await _room(settings)
    first = await _send(cluster, sender_accounts[0].token, challenge_id)
    subscribers = [Subscriber(cluster.ws_url, a.token, challenge_id, first) for a in subscriber_accounts]
    senders = [
        Sender(cluster.graphql_url, a.token, challenge_id, f"s{i}") for i, a in enumerate(sender_accounts)
    ]
    reading = [asyncio.create_task(s.run()) for s in subscribers]
    await asyncio.wait_for(asyncio.gather(*(s.subscribed.wait() for s in subscribers)), 60)
    sending = [asyncio.create_task(s.run(SEND_INTERVAL)) for s in senders]

    # when every instance is drained and restarted, one at a time, twice
    started = time.monotonic()
    for _ in range(RESTART_ROUNDS):
        await asyncio.to_thread(cluster.rolling_restart)
    seconds = time.monotonic() - started
    for sender in senders:
        sender.stopping = True
    await asyncio.wait_for(asyncio.gather(*sending), 60)

    # then every message was acknowledged once and every subscriber got each exactly once
    acknowledged = {m for s in senders for m in s.acknowledged.values()}
    delivered = await _until(lambda: all(set(s.seen) >= acknowledged for s in subscribers), 30)
    for subscriber in subscribers:
        subscriber.stopping = True
    for task in reading:
        task.cancel()
    print("\n" + _report(senders, subscribers, RESTART_ROUNDS * cluster.instances, seconds))
    missing = [sorted(acknowledged - set(s.seen), key=int) for s in subscribers]
    assert delivered, f"missing per subscriber: {[(len(m), m[:5]) for m in missing if m]}"
    assert all(count == 1 for s in subscribers for count in s.seen.values()), "duplicates"
    assert len(acknowledged) == sum(len(s.acknowledged) for s in senders)
    assert all(s.resumed_by_cursor >= 1 for s in subscribers)
    assert {code for s in subscribers for code in s.close_codes} <= {1012}
    assert all(i.started == 1 + RESTART_ROUNDS for i in cluster.members)

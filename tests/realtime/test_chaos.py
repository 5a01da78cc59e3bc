"""Chaos: two instances, 20 subscribers, 3 members sending for 60 s while Redis is paused, killed
and restarted twice, one instance is SIGKILLed and restarted, and two members leave mid-outage.

Every acknowledged message reaches every subscriber that stayed (or resumed by cursor) in order,
once; no stream of a member who left outlives 5 s; onlineMembers equals the truth within
PRESENCE_TTL of each disturbance; no queue exceeds its bound; the instance that ran throughout
ends within 10 % of its memory after warm-up. The measured figures are printed (docs/REALTIME.md).
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from models.chat import Message
from tests.conftest import postgres_only
from tests.realtime.chaos import Sender, Subscriber, metric, online, rss_kib
from tests.realtime.conftest import pause_writes
from tests.support.factories import Account, add_member, make_challenge
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer, RedisServer

pytestmark = postgres_only

SUBSCRIBERS, SENDERS, SENDING = 20, 3, 60.0
WARM_UP = 8.0  # seconds of sending before the first disturbance
LEAVE = "mutation L($id: ID!) { leaveChallenge(id: $id) }"


@dataclass
class Run:
    servers: list[AppServer]
    challenge_id: str
    leader: Account
    subscribers: list[Subscriber]
    senders: list[Sender]
    ttl: float
    started: float = field(default_factory=time.monotonic)
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    left: dict[int, float] = field(default_factory=dict)  # subscriber index -> leave acknowledged
    ends: list[float] = field(default_factory=list)  # when each disturbance ended
    settle: list[float] = field(default_factory=list)  # seconds until onlineMembers was true again
    rss: list[int] = field(default_factory=list)  # the surviving instance's, every 5 s (KiB)

    async def at(self, second: float) -> None:
        await asyncio.sleep(max(0.0, self.started + second - time.monotonic()))

    def staying(self) -> list[Subscriber]:
        return [subscriber for index, subscriber in enumerate(self.subscribers) if index not in self.left]

    async def leave(self, index: int) -> None:
        subscriber = self.subscribers[index]
        async with GraphQLClient(self.servers[0].url, token=subscriber.account.token) as graphql:
            (await graphql.execute(LEAVE, {"id": self.challenge_id})).ok()
        self.left[index] = time.monotonic()

    def ended(self) -> None:
        """A disturbance is over: presence must be true again within PRESENCE_TTL."""
        self.ends.append(time.monotonic())
        self.tasks.append(asyncio.create_task(self._settles(self.ends[-1])))

    async def _settles(self, since: float) -> None:
        truth = {subscriber.account.id for subscriber in self.staying()}
        while time.monotonic() - since < self.ttl * 3:
            try:
                seen = [await online(server, self.leader.token, self.challenge_id) for server in self.servers]
                if all(members == truth for members in seen):
                    self.settle.append(time.monotonic() - since)
                    return
            except Exception:  # an instance restarting
                pass
            await asyncio.sleep(0.1)
        self.settle.append(float("inf"))


async def _world(new_account: Callable[..., Awaitable[Account]]) -> tuple[Account, list[Account], str]:
    leader = await new_account()
    challenge = await make_challenge(leader, limit_attendance=SUBSCRIBERS + SENDERS + 2)
    members = [await new_account() for _ in range(SUBSCRIBERS + SENDERS - 1)]
    for member in members:
        await add_member(challenge, member)
    return leader, members, str(challenge.id)


async def _start(servers: list[AppServer], new_account: Callable[..., Awaitable[Account]], ttl: float) -> Run:
    leader, members, challenge_id = await _world(new_account)
    subscribers = [
        Subscriber(member, servers[index % 2], servers, challenge_id)
        for index, member in enumerate(members[:SUBSCRIBERS])
    ]
    senders = [
        Sender(f"s{index}", account, servers, challenge_id)
        for index, account in enumerate([leader, *members[SUBSCRIBERS:]])
    ]
    run = Run(servers, challenge_id, leader, subscribers, senders, ttl)
    run.tasks += [asyncio.create_task(subscriber.run()) for subscriber in subscribers]
    await asyncio.wait_for(asyncio.gather(*(subscriber.live.wait() for subscriber in subscribers)), 30)
    run.started = time.monotonic()
    run.tasks += [asyncio.create_task(sender.run()) for sender in senders]
    return run


async def _kill_redis(run: Run, redis: RedisServer, at: float, back: float) -> None:
    await run.at(at)
    assert redis.process is not None
    redis.process.kill()
    await asyncio.to_thread(redis.process.wait)
    redis.process = None
    await run.at(back)
    await asyncio.to_thread(redis.start)
    run.ended()


async def _pause(redis: RedisServer, seconds: float) -> None:
    client = Redis.from_url(redis.url)  # a fresh connection: the last one died with Redis
    try:
        await pause_writes(client, seconds)
    finally:
        await client.aclose()


async def _redis_round(run: Run, redis: RedisServer, offset: float, leaver: int) -> None:
    """Redis holds writes for 4 s (a subscriber leaves meanwhile); once presence had time to
    settle, Redis dies and comes back empty 3 s later."""
    await run.at(offset)
    await _pause(redis, 4)
    await run.at(offset + 1)
    await run.leave(leaver)  # its MemberLeft cannot be published
    await run.at(offset + 4)
    run.ended()
    await _kill_redis(run, redis, offset + 5 + run.ttl, offset + 8 + run.ttl)


async def _disturb(run: Run, redis: RedisServer) -> int:
    """The 60 s timeline; returns the surviving instance's RSS after warm-up (KiB)."""
    first, second = run.servers
    sampler = asyncio.create_task(_sample(run, first))
    await run.at(WARM_UP)
    warm = rss_kib(first)
    await _redis_round(run, redis, WARM_UP + 1, leaver=0)
    await run.at(WARM_UP + 16)
    second.stop(signal.SIGKILL)
    await run.at(WARM_UP + 19)
    await asyncio.to_thread(second.start)
    run.ended()
    await _redis_round(run, redis, WARM_UP + 26, leaver=2)
    await run.at(SENDING)
    sampler.cancel()
    return warm


async def _sample(run: Run, server: AppServer) -> None:
    while True:
        run.rss.append(rss_kib(server))
        await asyncio.sleep(5)


async def _everything_arrived(run: Run, expected: list[str], within: float) -> None:
    deadline = time.monotonic() + within
    while any(subscriber.received != expected for subscriber in run.staying()):
        if time.monotonic() > deadline:
            return
        await asyncio.sleep(0.2)


def _figures(run: Run, expected: list[str]) -> dict[str, float]:
    acked = {message: at for sender in run.senders for message, at in sender.acked.items()}
    latencies = sorted(
        subscriber.arrived[message] - acked[message]
        for subscriber in run.staying()
        for message in expected
        if message in subscriber.arrived
    )
    recover = [
        max(
            (s.arrived.get(m, float("inf")) for s in run.staying() for m in expected if acked[m] < end),
            default=end,
        )
        - end
        for end in run.ends
    ]
    return {
        "messages": len(expected),
        "delivered": sum(len(subscriber.received) for subscriber in run.staying()),
        "latency_p99": latencies[int(len(latencies) * 0.99) - 1] if latencies else 0.0,
        "latency_max": latencies[-1] if latencies else 0.0,
        "recover_max": max(max(recover), 0.0),
        "resumes": sum(subscriber.resumes for subscriber in run.subscribers),
    }


async def test_chaos_loses_nothing_and_leaves_no_ghost(
    start_app: Callable[..., AppServer],
    own_redis: RedisServer,
    new_account: Callable[..., Awaitable[Account]],
    settings: Any,
) -> None:
    # given two instances on this test's Redis, 20 subscribers spread over them, 3 senders
    servers = [start_app(REDIS_URL=own_redis.url), start_app(REDIS_URL=own_redis.url)]
    run = await _start(servers, new_account, settings.presence_ttl)
    try:
        # when Redis is paused, killed and restarted twice, an instance is SIGKILLed and
        # restarted, and two subscribers leave, all while the senders keep sending
        warm = await _disturb(run, own_redis)
        for sender in run.senders:
            sender.stopping.set()
        await asyncio.gather(*run.tasks[SUBSCRIBERS : SUBSCRIBERS + SENDERS])
        stored = await Message.filter(room__challenge_id=int(run.challenge_id)).order_by("seq")
        expected = [str(row.id) for row in stored]
        await _everything_arrived(run, expected, 15)
        rss_after = rss_kib(servers[0])
        peaks = [await metric(server, "eroom_subscription_queue_peak_events_total") for server in servers]
        await asyncio.gather(*run.tasks[SUBSCRIBERS + SENDERS :])
    finally:
        for task in run.tasks:
            task.cancel()
        await asyncio.gather(*run.tasks, return_exceptions=True)
    figures = _figures(run, expected)
    outlived = [
        run.subscribers[i].ended[1] - at if run.subscribers[i].ended else float("inf")
        for i, at in run.left.items()
    ]
    print(f"\nchaos: {figures} leaves ended after {outlived} presence true after {run.settle}")
    print(
        f"chaos: queue peaks {peaks}, RSS after warm-up {warm} KiB, after the run {rss_after} KiB ({run.rss})"
    )

    # then every acknowledged message is stored once and reached every staying subscriber in order
    assert sorted(expected) == sorted(message for sender in run.senders for message in sender.acked)
    for subscriber in run.staying():
        assert subscriber.received == expected, (subscriber.account.id, subscriber.resumes)
    # and no leaver's stream outlived 5 s, each ended FORBIDDEN
    assert all(run.subscribers[index].ended is not None for index in run.left)
    assert {run.subscribers[index].ended[0] for index in run.left} == {"FORBIDDEN"}  # type: ignore[index]
    assert max(outlived) <= 5.0
    # and presence was true again within PRESENCE_TTL of every disturbance
    assert max(run.settle) <= settings.presence_ttl
    # and no queue went past its bound, and memory is flat
    assert max(peaks) <= settings.ws_subscription_queue
    assert rss_after <= warm * 1.10

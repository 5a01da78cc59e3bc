"""FINISHED over real servers: once per member after the due date, with the final rate and rank,
whatever number of instances and hand-run rounds race for it (on PostgreSQL + Redis in the
postgres run, on one SQLite file otherwise); the scheduler rides out a PostgreSQL and Redis
outage."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from tests.conftest import postgres_only
from tests.progress.travel import JOIN, Travel, call, create_challenge, eventually, notices, prove
from tests.support.servers import AppServer, RedisServer, postgres_server, run_migrations

FAST_ROUNDS = {"SCHEDULER_INTERVAL": "0.3"}


async def test_finished_goes_once_to_every_member_with_two_instances(travel: Travel) -> None:
    # given a one-day challenge: the leader and the achiever proved it, the idler did not
    node = travel.node(0)
    leader, achiever, idler = [await travel.sign_up(node, prefix) for prefix in ("lead", "ach", "idle")]
    challenge = await create_challenge(node, leader, days=1)
    for member in (achiever, idler):
        await call(node, member, JOIN, {"id": challenge})
    await prove(node, leader, challenge, approver=None)
    await prove(node, achiever, challenge, approver=leader)
    node.stop()

    # when on the next day two instances run the scheduler while two rounds are run by hand
    first, second = travel.node(1, **FAST_ROUNDS), travel.node(1, **FAST_ROUNDS)
    await asyncio.gather(travel.tick(1), travel.tick(1))
    people = (leader, achiever, idler)

    async def everyone_told() -> bool:
        return all([await notices(first, person, "FINISHED", challenge) for person in people])

    await eventually(everyone_told)
    await asyncio.sleep(1.5)  # more rounds on both instances

    # then each member has exactly one, with their final rate and rank; the leader's names the winners
    told = {person.id: await notices(second, person, "FINISHED", challenge) for person in people}
    assert [len(found) for found in told.values()] == [1, 1, 1]
    leader_text, achiever_text, idler_text = (told[person.id][0]["content"] for person in people)
    assert "달성률 100%, 1위" in leader_text
    assert f"우승: {leader.nickname}, {achiever.nickname}" in leader_text
    assert "달성률 100%, 2위" in achiever_text and "우승" not in achiever_text
    assert "달성률 0%, 3위" in idler_text
    status = await call(first, idler, "query($id: ID!) { challenge(id: $id) { status } }", {"id": challenge})
    assert status == {"challenge": {"status": "FINISHED"}}


@postgres_only
async def test_scheduler_skips_rounds_while_postgres_and_redis_are_down(
    start_app: Callable[..., AppServer], app_env: dict[str, str], travel: Travel
) -> None:
    # given a server with a fast scheduler on a PostgreSQL and a Redis of its own
    with postgres_server() as postgres:
        redis = RedisServer()
        redis.start()
        try:
            env = {"DATABASE_URL": postgres.create_database("outage"), "REDIS_URL": redis.url}
            run_migrations({**app_env, **env})
            node = start_app(**env, **FAST_ROUNDS, REMINDER_HOUR="0")
            own = Travel(start_app=start_app, smtp=travel.smtp, base=app_env, env=env)
            leader = await own.sign_up(node, "lead")

            # when both go down for a few rounds and come back
            postgres.stop()
            redis.stop()
            await asyncio.sleep(2)
            postgres.start()
            redis.start()

            async def ready() -> bool:
                async with httpx.AsyncClient() as client:
                    return (await client.get(f"{node.url}/ready", timeout=5)).status_code == 200

            await eventually(ready, within=30)
            challenge = await create_challenge(node, leader, days=3)

            async def reminded() -> bool:
                return len(await notices(node, leader, "REMINDER", challenge)) == 1

            # then the same process keeps running rounds: the leader, who has not posted, is reminded
            await eventually(reminded)
            assert node.process is not None and node.process.poll() is None
            assert "scheduler round skipped" in node.log()
        finally:
            redis.stop()

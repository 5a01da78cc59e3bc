"""No post slips in after a leave: the sender's membership is checked by the very statement that
takes the room's next seq, so a post either lands before the leave or is refused."""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

from tortoise import connections
from tortoise.transactions import in_transaction

from models.challenges import Membership
from models.chat import Message
from tests.conftest import USES_POSTGRES
from tests.realtime.conftest import SEND_MESSAGE, Crew
from tests.realtime.probes import eventually
from tests.support.graphql import GraphQLClient, Result
from tests.support.servers import AppServer

LEAVE_CHALLENGE = "mutation L($id: ID!) { leaveChallenge(id: $id) }"


async def bobs_messages(crew: Crew) -> int:
    return await Message.filter(room__challenge_id=crew.challenge.id, sender_id=crew.bob.member.id).count()


async def post(app: AppServer, crew: Crew) -> Result:
    async with GraphQLClient(app.url, token=crew.bob.token) as graphql:
        return await graphql.execute(SEND_MESSAGE, {"challengeId": crew.id, "body": "last words"})


async def waiting_on_a_lock(pattern: str) -> bool:
    # Inside a transaction PostgreSQL keeps showing its first statistics snapshot.
    await connections.get("default").execute_query("SELECT pg_stat_clear_snapshot()")
    rows = await connections.get("default").execute_query_dict(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE $1",
        [pattern],
    )
    return int(rows[0]["n"]) > 0


async def race_on_postgres(app: AppServer, crew: Crew) -> tuple[Result, int]:
    """Bob's post is held at the room's seq (the room row locked) while he leaves through the
    API. Returns the post's result and how many of his messages existed when the leave ended."""
    outside = contextvars.copy_context()  # the leave must not run on the holder's connection
    async with in_transaction() as holder:
        await holder.execute_query(
            "SELECT id FROM room WHERE challenge_id = $1 FOR UPDATE", [crew.challenge.id]
        )
        posting = asyncio.create_task(post(app, crew))
        await eventually(lambda: waiting_on_a_lock("%room%"), 10, "the post waiting for the room")

        async def leave() -> int:
            async with GraphQLClient(app.url, token=crew.bob.token) as graphql:
                (await graphql.execute(LEAVE_CHALLENGE, {"id": crew.id})).ok()
            return await bobs_messages(crew)

        leaving = asyncio.create_task(leave(), context=outside)
        await asyncio.wait({leaving}, timeout=1.5)  # a leave that does not wait for the post ends here
    return await posting, await leaving


async def race_on_sqlite(app: AppServer, crew: Crew) -> tuple[Result, int]:
    """Bob's post waits for the database's write lock, which the leave holds; the leave commits
    first. Returns the post's result and how many of his messages existed at the leave."""
    async with in_transaction() as holder:
        await holder.execute_query(
            "UPDATE room SET last_seq = last_seq WHERE challenge_id = ?", [crew.challenge.id]
        )
        posting = asyncio.create_task(post(app, crew))
        await asyncio.sleep(1.0)  # the post is past its membership read, waiting for the lock
        await (
            Membership.filter(challenge_id=crew.challenge.id, member_id=crew.bob.member.id)
            .using_db(holder)
            .delete()
        )
        at_leave = (
            await Message.filter(room__challenge_id=crew.challenge.id, sender_id=crew.bob.member.id)
            .using_db(holder)
            .count()
        )
    return await posting, at_leave


async def test_a_post_racing_its_senders_leave_never_lands_after_the_leave(
    app: AppServer, crew: Crew
) -> None:
    # given bob posting just as he leaves the challenge
    race = race_on_postgres if USES_POSTGRES else race_on_sqlite

    # when the post and the leave race
    result, at_leave = await race(app, crew)

    # then no message of his appeared after the leave committed
    assert await bobs_messages(crew) == at_leave
    # and the post either landed before the leave (acknowledged) or was refused with FORBIDDEN
    outcome: Any = result.data.get("sendMessage")
    if at_leave:
        assert outcome is not None and outcome["body"] == "last words"
    else:
        assert result.code == "FORBIDDEN"
        assert outcome is None
    assert not await Membership.exists(challenge_id=crew.challenge.id, member_id=crew.bob.member.id)

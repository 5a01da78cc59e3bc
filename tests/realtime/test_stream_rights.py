"""A room stream lives only while its viewer may read the room: a leave or a deletion ends it
even when its live signal (MemberLeft, RoomClosed) never arrives, because the stream re-checks
the facts in the database after it starts listening, on every catch-up and periodically."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from models.challenges import Challenge, Membership
from tests.conftest import postgres_only
from tests.realtime.conftest import Crew, Local, stream_error
from tests.realtime.probes import eventually, is_online, next_of_type
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer, RedisServer
from tests.support.ws import GraphQLWebSocket

ROOM_EVENTS = """
subscription R($c: ID!) { roomEvents(challengeId: $c) { type message { id } member { id } } }
"""
LEAVE_CHALLENGE = "mutation L($id: ID!) { leaveChallenge(id: $id) }"
# What the issue allows a stream of a member who lost the right to outlive it.
GRACE = 5.0

OpenSocket = Callable[..., Awaitable[GraphQLWebSocket]]


async def open_room(sockets: OpenSocket, server: AppServer, account: Any, crew: Crew) -> tuple[Any, str]:
    socket = await sockets(account, server=server)
    op = await socket.subscribe(ROOM_EVENTS, {"c": crew.id})
    await next_of_type(socket, op, "JOIN")
    return socket, op


@postgres_only
async def test_leaving_while_redis_is_down_ends_the_stream_once_redis_is_back(
    start_app: Callable[..., AppServer], own_redis: RedisServer, crew: Crew, sockets: OpenSocket
) -> None:
    # given bob's room stream on an instance whose Redis is about to die
    server = start_app(REDIS_URL=own_redis.url)
    bob, bob_op = await open_room(sockets, server, crew.bob, crew)

    # when Redis dies, bob leaves the challenge (its MemberLeft cannot be published) and Redis
    # comes back empty
    await asyncio.to_thread(own_redis.stop)
    async with GraphQLClient(server.url, token=crew.bob.token) as graphql:
        assert (await graphql.execute(LEAVE_CHALLENGE, {"id": crew.id})).ok() == {"leaveChallenge": crew.id}
    await asyncio.to_thread(own_redis.start)

    # then bob's stream ends with FORBIDDEN soon after, and bob is offline
    error = await stream_error(bob, bob_op, GRACE + 5)
    assert error["extensions"]["code"] == "FORBIDDEN"
    await eventually(partial(_offline, server, crew, crew.bob.id), 5, "bob offline")
    assert not await Membership.exists(challenge_id=crew.challenge.id, member_id=crew.bob.member.id)


async def _offline(server: AppServer, crew: Crew, member_id: str) -> bool:
    return not await is_online(server, crew, member_id)


async def test_a_leave_whose_signal_is_lost_ends_the_stream_within_5_seconds(
    app: AppServer, crew: Crew, sockets: OpenSocket
) -> None:
    # given bob's room stream
    bob, bob_op = await open_room(sockets, app, crew.bob, crew)

    # when bob's membership goes away with no MemberLeft on the bus (a lost publish)
    await Membership.filter(challenge_id=crew.challenge.id, member_id=crew.bob.member.id).delete()
    gone_at = time.monotonic()

    # then his stream ends with FORBIDDEN within 5 seconds, and he drops out of presence
    error = await stream_error(bob, bob_op, GRACE + 2)
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert time.monotonic() - gone_at <= GRACE
    await eventually(partial(_offline, app, crew, crew.bob.id), 5, "bob offline")


async def test_a_deletion_whose_signal_is_lost_ends_the_stream_within_5_seconds(
    app: AppServer, crew: Crew, sockets: OpenSocket
) -> None:
    # given alice's room stream
    alice, alice_op = await open_room(sockets, app, crew.alice, crew)

    # when the challenge goes away with no RoomClosed on the bus (a lost publish)
    await Challenge.filter(id=crew.challenge.id).delete()
    gone_at = time.monotonic()

    # then her stream ends with NOT_FOUND within 5 seconds
    error = await stream_error(alice, alice_op, GRACE + 2)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert time.monotonic() - gone_at <= GRACE
    assert not await Challenge.exists(id=crew.challenge.id)


async def _first_result_after_a_change_while_subscribing(
    make_local: Callable[..., Awaitable[Local]],
    own_redis: RedisServer,
    crew: Crew,
    change: Callable[[], Awaitable[object]],
) -> Any:
    """Opens bob's stream with Redis frozen, so it sits between its membership check and its
    bus subscription; applies ``change`` there, thaws Redis, returns the stream's first result."""
    local = await make_local(redis_url=own_redis.url)
    stream = await local.subscribe(ROOM_EVENTS, {"c": crew.id}, crew.bob)
    process = own_redis.process
    assert process is not None
    process.send_signal(signal.SIGSTOP)
    first = asyncio.ensure_future(anext(stream))
    try:
        await eventually(partial(_listening, local, crew), 5, "the stream waiting for its bus subscription")
        await change()
    finally:
        process.send_signal(signal.SIGCONT)
    result = await asyncio.wait_for(first, 15)
    await stream.aclose()
    return result


async def _listening(local: Local, crew: Crew) -> bool:
    return local.bus.subscriber_count(f"room:{crew.challenge.id}") == 1


@postgres_only
async def test_a_leave_between_the_check_and_listening_ends_the_stream_before_it_goes_live(
    make_local: Callable[..., Awaitable[Local]], own_redis: RedisServer, crew: Crew
) -> None:
    # given bob's stream past its membership check, waiting for its bus subscription
    # when bob's membership goes away right then (its MemberLeft published before anyone listened)
    async def leave() -> None:
        await Membership.filter(challenge_id=crew.challenge.id, member_id=crew.bob.member.id).delete()

    result = await _first_result_after_a_change_while_subscribing(make_local, own_redis, crew, leave)

    # then the stream's very first result is FORBIDDEN: no JOIN, nothing delivered
    assert result.data is None
    assert result.errors[0].extensions["code"] == "FORBIDDEN"


@postgres_only
async def test_a_deletion_between_the_check_and_listening_ends_the_stream_before_it_goes_live(
    make_local: Callable[..., Awaitable[Local]], own_redis: RedisServer, crew: Crew
) -> None:
    # given bob's stream past its membership check, waiting for its bus subscription
    # when the challenge is deleted right then
    async def delete() -> None:
        await Challenge.filter(id=crew.challenge.id).delete()

    result = await _first_result_after_a_change_while_subscribing(make_local, own_redis, crew, delete)

    # then the stream's very first result is NOT_FOUND
    assert result.data is None
    assert result.errors[0].extensions["code"] == "NOT_FOUND"

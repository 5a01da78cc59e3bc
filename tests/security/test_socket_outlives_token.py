"""Hole 2: a WebSocket outlived its token.

The viewer was decoded once at ``connection_init``: operations over an open socket kept working
after the access token expired, after logOut and after changePassword, and a
``roomEvents(after:)`` started after expiry replayed the whole history before failing. Now the
socket is bound to its token's expiry and its session: the server closes it with 4403.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import websockets

from models.accounts import Member
from tests.security.conftest import (
    CHANGE_PASSWORD,
    LOG_OUT,
    ME,
    NEW_PASSWORD,
    PASSWORD,
    WithPassword,
    close_code,
    frames_until_closed,
    log_in,
)
from tests.support.factories import make_challenge
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

SHORT_TTL = "3"  # seconds; whole-second claims, so a token lives 2-3 s
ROOM_EVENTS = """
subscription Room($challengeId: ID!, $after: String) {
  roomEvents(challengeId: $challengeId, after: $after) { type cursor message { body } }
}
"""
SEND_MESSAGE = """
mutation Send($challengeId: ID!, $body: String!) {
  sendMessage(challengeId: $challengeId, body: $body) { cursor }
}
"""
UPDATE_NICKNAME = "mutation Rename($n: String!) { updateNickname(nickname: $n) { id nickname } }"


async def test_socket_is_closed_with_4403_when_its_token_expires(
    start_app: Callable[..., AppServer], member: WithPassword
) -> None:
    # given a socket opened with an access token that lives 2-3 seconds
    server = start_app(ACCESS_TOKEN_TTL=SHORT_TTL)
    session = await log_in(server, await member())
    socket = await GraphQLWebSocket.connect(server.ws_url, token=session["accessToken"])

    # when the token expires, then the server closes the socket with 4403 (graphql-ws retries)
    try:
        assert await close_code(socket, 6) == 4403
    finally:
        await socket.close()


async def test_query_over_socket_after_token_expiry_gets_no_data(
    start_app: Callable[..., AppServer], member: WithPassword
) -> None:
    # given a socket whose token has expired while it stayed open
    server = start_app(ACCESS_TOKEN_TTL=SHORT_TTL)
    session = await log_in(server, await member())
    socket = await GraphQLWebSocket.connect(server.ws_url, token=session["accessToken"])
    await asyncio.sleep(int(SHORT_TTL) + 1)

    # when it asks who it is
    try:
        op = await socket.subscribe(ME)
    except websockets.ConnectionClosed:  # already closed by the server: nothing could be asked
        op = "1"
    frames = await frames_until_closed(socket, op, 3)
    await socket.close()

    # then no data comes back, and the socket was closed with 4403
    assert not any(frame["type"] == "next" and frame["payload"].get("data") for frame in frames), frames
    assert socket.connection.close_code == 4403


async def test_query_over_socket_after_logout_gets_no_data(app: AppServer, member: WithPassword) -> None:
    # given a socket of a session, and the session logging out over HTTP
    session = await log_in(app, await member())
    socket = await GraphQLWebSocket.connect(app.ws_url, token=session["accessToken"])
    async with GraphQLClient(app.url, token=session["accessToken"]) as client:
        assert (await client.execute(LOG_OUT)).ok() == {"logOut": True}

    # when the socket asks who it is right away
    try:
        op = await socket.subscribe(ME)
    except websockets.ConnectionClosed:  # already closed by the server
        op = "1"
    frames = await frames_until_closed(socket, op, 3)
    await socket.close()

    # then it gets no data and is closed with 4403
    assert not any(frame["type"] == "next" and frame["payload"].get("data") for frame in frames), frames
    assert socket.connection.close_code == 4403


async def test_mutation_over_socket_after_password_change_elsewhere_changes_nothing(
    app: AppServer, member: WithPassword
) -> None:
    # given a socket of one session, and the password changed from another session
    account = await member()
    here, there = await log_in(app, account), await log_in(app, account)
    socket = await GraphQLWebSocket.connect(app.ws_url, token=there["accessToken"])
    async with GraphQLClient(app.url, token=here["accessToken"]) as device:
        assert (await device.execute(CHANGE_PASSWORD, {"current": PASSWORD, "new": NEW_PASSWORD})).ok()

    # when the old session's socket renames the member
    try:
        op = await socket.subscribe(UPDATE_NICKNAME, {"n": "hijacked"})
    except websockets.ConnectionClosed:  # already closed by the server
        op = "1"
    frames = await frames_until_closed(socket, op, 3)
    await socket.close()

    # then nothing changed and the socket was closed with 4403
    assert not any(frame["type"] == "next" and frame["payload"].get("data") for frame in frames), frames
    assert socket.connection.close_code == 4403
    assert (await Member.get(id=account.member.id)).nickname == account.member.nickname


async def test_room_events_after_token_expiry_replay_nothing(
    start_app: Callable[..., AppServer], member: WithPassword
) -> None:
    # given a challenge with history, and its leader's socket whose token has expired
    server = start_app(ACCESS_TOKEN_TTL=SHORT_TTL)
    leader = await member()
    challenge = await make_challenge(leader)
    async with GraphQLClient(server.url, token=leader.token) as client:
        first = (await client.execute(SEND_MESSAGE, {"challengeId": str(challenge.id), "body": "one"})).ok()
        for body in ("two", "three"):
            (await client.execute(SEND_MESSAGE, {"challengeId": str(challenge.id), "body": body})).ok()
    session = await log_in(server, leader)
    socket = await GraphQLWebSocket.connect(server.ws_url, token=session["accessToken"])
    await asyncio.sleep(int(SHORT_TTL) + 1)

    # when it subscribes to the room from the first message's cursor
    variables = {"challengeId": str(challenge.id), "after": first["sendMessage"]["cursor"]}
    try:
        op = await socket.subscribe(ROOM_EVENTS, variables)
    except websockets.ConnectionClosed:  # already closed by the server
        op = "1"
    frames = await frames_until_closed(socket, op, 3)
    await socket.close()

    # then nothing of the history is replayed, and the socket was closed with 4403
    replayed = [frame for frame in frames if frame["type"] == "next" and frame["payload"].get("data")]
    assert replayed == []
    assert socket.connection.close_code == 4403

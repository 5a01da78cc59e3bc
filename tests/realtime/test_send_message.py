"""sendMessage: members only, trimmed body, the room's next seq, idempotent retries, rate limit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from models.chat import Message, Room
from tests.realtime.conftest import SEND_MESSAGE, Crew
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

ROOM_EVENTS = "subscription R($c: ID!) { roomEvents(challengeId: $c) { type message { id body } } }"


async def stored(crew: Crew) -> list[Message]:
    return await Message.filter(room__challenge_id=crew.challenge.id).order_by("seq")


async def test_send_message_stores_the_trimmed_body_with_the_next_seq(
    client_for: Callable[[Account], GraphQLClient], crew: Crew
) -> None:
    # given a member of the challenge
    graphql = client_for(crew.alice)

    # when they send two messages
    first = (await graphql.execute(SEND_MESSAGE, {"challengeId": crew.id, "body": "  hello  "})).ok()
    second = (await graphql.execute(SEND_MESSAGE, {"challengeId": crew.id, "body": "again"})).ok()

    # then both are stored with consecutive seqs, the body trimmed
    assert first["sendMessage"]["body"] == "hello"
    assert first["sendMessage"]["sender"]["id"] == crew.alice.id
    rows = await stored(crew)
    assert [(row.body, row.seq) for row in rows] == [("hello", 1), ("again", 2)]
    assert second["sendMessage"]["id"] == str(rows[1].id)
    assert (await Room.get(challenge_id=crew.challenge.id)).last_seq == 2


async def test_send_message_with_blank_or_too_long_body_is_bad_input(
    client_for: Callable[[Account], GraphQLClient], crew: Crew
) -> None:
    # given a member
    graphql = client_for(crew.alice)

    # when the body is blank, then 1001 characters
    blank = await graphql.execute(SEND_MESSAGE, {"challengeId": crew.id, "body": "   "})
    long = await graphql.execute(SEND_MESSAGE, {"challengeId": crew.id, "body": "x" * 1001})

    # then both are BAD_USER_INPUT on `body` and nothing is stored
    assert (blank.code, blank.field) == ("BAD_USER_INPUT", "body")
    assert (long.code, long.field) == ("BAD_USER_INPUT", "body")
    assert blank.data.get("sendMessage") is None
    assert await stored(crew) == []


async def test_send_message_as_outsider_is_forbidden(
    client_for: Callable[[Account], GraphQLClient], crew: Crew
) -> None:
    # when someone who is not a member sends
    result = await client_for(crew.outsider).execute(SEND_MESSAGE, {"challengeId": crew.id, "body": "hi"})

    # then FORBIDDEN, nothing stored
    assert result.code == "FORBIDDEN"
    assert result.data.get("sendMessage") is None
    assert await stored(crew) == []


async def test_send_message_anonymously_is_unauthenticated(client: GraphQLClient, crew: Crew) -> None:
    # when an anonymous client sends
    result = await client.execute(SEND_MESSAGE, {"challengeId": crew.id, "body": "hi"})

    # then UNAUTHENTICATED, nothing stored
    assert result.code == "UNAUTHENTICATED"
    assert await stored(crew) == []


async def test_send_message_to_a_missing_challenge_is_not_found(
    client_for: Callable[[Account], GraphQLClient], crew: Crew
) -> None:
    # when the challenge does not exist
    result = await client_for(crew.alice).execute(SEND_MESSAGE, {"challengeId": "999999999", "body": "hi"})

    # then NOT_FOUND
    assert result.code == "NOT_FOUND"
    assert result.data.get("sendMessage") is None


async def test_send_message_retry_with_client_message_id_returns_the_same_message_and_publishes_once(
    app: AppServer, client_for: Callable[[Account], GraphQLClient], crew: Crew
) -> None:
    # given bob listening to the room
    async with await GraphQLWebSocket.connect(app.ws_url, token=crew.bob.token) as socket:
        op = await socket.subscribe(ROOM_EVENTS, {"c": crew.id})
        assert (await socket.next_data(op))["roomEvents"]["type"] == "JOIN"
        graphql = client_for(crew.alice)
        variables = {"challengeId": crew.id, "body": "only once", "clientMessageId": "c-1"}

        # when alice sends the same clientMessageId three times
        results = [(await graphql.execute(SEND_MESSAGE, variables)).ok()["sendMessage"] for _ in range(3)]

        # then every call returns the same message, one row exists and one event went out
        assert len({result["id"] for result in results}) == 1
        assert [row.body for row in await stored(crew)] == ["only once"]
        event = (await socket.next_data(op))["roomEvents"]
        assert event["message"]["id"] == results[0]["id"]
        await socket.expect_nothing(op, within=0.5)


async def test_concurrent_sends_get_distinct_consecutive_seqs(
    client_for: Callable[[Account], GraphQLClient], crew: Crew
) -> None:
    # given three members sending at once
    clients = [client_for(account) for account in (crew.leader, crew.alice, crew.bob)]

    # when 30 messages race
    results = await asyncio.gather(
        *(clients[n % 3].execute(SEND_MESSAGE, {"challengeId": crew.id, "body": f"m{n}"}) for n in range(30))
    )

    # then all succeed and the seqs are exactly 1..30
    assert all(not result.errors for result in results), [result.errors for result in results]
    assert [row.seq for row in await stored(crew)] == list(range(1, 31))


async def test_send_message_over_the_rate_limit_is_rate_limited(
    start_app: Callable[..., AppServer], crew: Crew
) -> None:
    # given a server allowing 3 messages per minute per member
    server = start_app(LIMIT_SEND_MESSAGE="3/60")
    async with GraphQLClient(server.url, token=crew.alice.token) as graphql:
        # when alice sends a fourth
        for n in range(3):
            (await graphql.execute(SEND_MESSAGE, {"challengeId": crew.id, "body": f"m{n}"})).ok()
        result = await graphql.execute(SEND_MESSAGE, {"challengeId": crew.id, "body": "one too many"})

    # then RATE_LIMITED with retryAfter, and only three are stored
    assert result.code == "RATE_LIMITED"
    assert 1 <= result.error["extensions"]["retryAfter"] <= 60
    assert len(await stored(crew)) == 3

"""roomEvents driven through ``schema.subscribe()`` on the app's own services in this process,
so the test can publish on the bus the subscription reads and watch the live counter."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from events.channels import member_channel, room_channel
from events.codec import encode
from events.member import MemberLeft, RoomClosed, SessionEnded
from infra.tokens import issue_access_token
from models.chat import Message, Room
from tests.realtime.conftest import Crew, Local
from tests.realtime.room_streams import store_unpublished
from tests.support.factories import Account

ROOM_EVENTS = """
subscription Room($challengeId: ID!, $after: String) {
  roomEvents(challengeId: $challengeId, after: $after) {
    type cursor message { body } member { id } onlineMembers { id }
  }
}
"""


async def next_event(stream: AsyncGenerator[Any, None]) -> dict[str, Any]:
    result = await asyncio.wait_for(anext(stream), 10)
    assert not result.errors, result.errors
    return result.data["roomEvents"]  # type: ignore[no-any-return]


async def final_error(stream: AsyncGenerator[Any, None]) -> dict[str, Any]:
    """The error the stream ended with (then nothing more)."""
    while True:
        result = await asyncio.wait_for(anext(stream), 10)
        if result.errors:
            return result.errors[0].formatted  # type: ignore[no-any-return]


async def open_stream(local: Local, crew: Crew, account: Account) -> AsyncGenerator[Any, None]:
    stream = await local.subscribe(ROOM_EVENTS, {"challengeId": crew.id}, account)
    joined = await next_event(stream)
    assert joined["type"] == "JOIN"
    return stream  # type: ignore[no-any-return]


async def test_closing_the_stream_brings_the_live_counter_back_to_zero(local: Local, crew: Crew) -> None:
    # given two open streams
    streams = [await open_stream(local, crew, account) for account in (crew.alice, crew.bob)]
    assert local.bus.live_subscriptions == 2

    # when both are closed (what the server does when the socket drops)
    for stream in streams:
        await stream.aclose()

    # then the counter, the hub's bus subscriptions and presence are all back to nothing
    assert local.bus.live_subscriptions == 0
    assert local.bus.channels == 0
    assert await local.services.presence.online(crew.challenge.id) == []


async def test_bus_reconnected_marker_catches_up_from_the_database(local: Local, crew: Crew) -> None:
    # given an open stream, and two messages stored while the bus was down
    stream = await open_stream(local, crew, crew.bob)
    await store_unpublished(crew, "missed 1")
    await store_unpublished(crew, "missed 2")

    # when the bus announces it reconnected
    await local.services.bus.publish(room_channel(crew.challenge.id), {"kind": "bus_reconnected"})

    # then the stream delivers both stored messages, in order, exactly once
    first, second = await next_event(stream), await next_event(stream)
    assert [first["message"]["body"], second["message"]["body"]] == ["missed 1", "missed 2"]
    await local.services.bus.publish(room_channel(crew.challenge.id), {"kind": "bus_reconnected"})
    await store_unpublished(crew, "missed 3")
    await local.services.bus.publish(room_channel(crew.challenge.id), {"kind": "bus_reconnected"})
    assert (await next_event(stream))["message"]["body"] == "missed 3"
    await stream.aclose()


async def test_live_event_ahead_of_its_predecessor_fills_the_gap_from_the_database(
    local: Local, crew: Crew
) -> None:
    # given an open stream and a stored message whose publish is late
    stream = await open_stream(local, crew, crew.bob)
    await store_unpublished(crew, "late")
    seq = await store_unpublished(crew, "early")
    room = await Room.get(challenge_id=crew.challenge.id)
    message = await Message.get(room_id=room.id, seq=seq)

    # when the later one is published first
    await local.services.bus.publish(
        room_channel(crew.challenge.id),
        {
            "kind": "room_event",
            "type": "MESSAGE",
            "challenge_id": crew.challenge.id,
            "at": message.created_at.isoformat(),
            "online": [],
            "seq": seq,
            "message": {
                "id": message.id,
                "challenge_id": crew.challenge.id,
                "seq": seq,
                "body": "early",
                "created_at": message.created_at.isoformat(),
                "sender": {
                    "id": crew.alice.member.id,
                    "nickname": crew.alice.member.nickname,
                    "bricks_count": 0,
                    "is_social": False,
                    "profile_image": None,
                    "email": None,
                    "created_at": message.created_at.isoformat(),
                },
            },
        },
    )

    # then the stream delivers both in seq order
    assert [(await next_event(stream))["message"]["body"] for _ in range(2)] == ["late", "early"]
    await stream.aclose()


async def test_leaving_the_challenge_ends_the_stream_with_forbidden(local: Local, crew: Crew) -> None:
    # given bob's open stream and alice watching
    watcher = await open_stream(local, crew, crew.alice)
    stream = await open_stream(local, crew, crew.bob)
    assert (await next_event(watcher))["member"]["id"] == crew.bob.id

    # when bob leaves the challenge
    await local.services.bus.publish(
        room_channel(crew.challenge.id), encode(MemberLeft(member_id=crew.bob.member.id))
    )

    # then bob's stream ends with FORBIDDEN, and alice sees him LEAVE
    assert (await final_error(stream))["extensions"]["code"] == "FORBIDDEN"
    leave = await next_event(watcher)
    assert (leave["type"], leave["member"]["id"]) == ("LEAVE", crew.bob.id)
    assert [m["id"] for m in leave["onlineMembers"]] == [crew.alice.id]
    await watcher.aclose()


async def test_deleting_the_challenge_ends_every_stream_with_not_found(local: Local, crew: Crew) -> None:
    # given an open stream
    stream = await open_stream(local, crew, crew.alice)

    # when the challenge is deleted
    await local.services.bus.publish(
        room_channel(crew.challenge.id), encode(RoomClosed(challenge_id=crew.challenge.id))
    )

    # then the stream ends with NOT_FOUND and the member is offline
    assert (await final_error(stream))["extensions"]["code"] == "NOT_FOUND"
    assert await local.services.presence.online(crew.challenge.id) == []
    assert local.bus.live_subscriptions == 0


async def test_logging_out_ends_only_that_sessions_streams(local: Local, crew: Crew) -> None:
    # given alice subscribed with two different access tokens
    other = Account(
        member=crew.alice.member, token=issue_access_token(crew.alice.member.id, local.settings).token
    )
    stream = await open_stream(local, crew, crew.alice)
    kept = await open_stream(local, crew, other)
    viewer = local.context(crew.alice).viewer
    assert viewer is not None

    # when the first session logs out
    await local.services.bus.publish(
        member_channel(crew.alice.member.id),
        encode(SessionEnded(member_id=viewer.id, token_id=viewer.token_id)),
    )

    # then that stream ends UNAUTHENTICATED; the other session's stream still runs
    assert (await final_error(stream))["extensions"]["code"] == "UNAUTHENTICATED"
    assert await local.services.presence.online(crew.challenge.id) == [crew.alice.member.id]
    await kept.aclose()


async def test_an_expired_access_token_ends_the_stream(local: Local, crew: Crew) -> None:
    # given a stream opened with a token that expires in 2-3 seconds (whole-second claims; long
    # enough that opening the stream on a loaded machine cannot outlast it)
    short = Account(
        member=crew.bob.member,
        token=issue_access_token(
            crew.bob.member.id, local.settings.model_copy(update={"access_token_ttl": 3})
        ).token,
    )
    stream = await open_stream(local, crew, short)

    # when the token expires, then the stream ends with UNAUTHENTICATED and bob is offline
    assert (await final_error(stream))["extensions"]["code"] == "UNAUTHENTICATED"
    assert await local.services.presence.online(crew.challenge.id) == []

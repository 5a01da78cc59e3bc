"""The bus registry: one backend subscription per channel per process, the same event object for
everyone."""

from __future__ import annotations

import asyncio

from events.channels import room_channel
from events.room import RoomEventPayload
from tests.realtime.conftest import Crew, Local


async def test_listeners_of_one_room_share_one_subscription_and_one_event_object(
    local: Local, crew: Crew
) -> None:
    # given three local listeners on one room channel
    bus = local.bus
    queues: list[asyncio.Queue[object]] = [asyncio.Queue() for _ in range(3)]
    channel = room_channel(crew.challenge.id)
    async with bus.listen(queues[0], channel), bus.listen(queues[1], channel), bus.listen(queues[2], channel):
        assert bus.channels == 1

        # when one event is published
        await bus.publish(
            channel,
            {
                "kind": "room_event",
                "type": "JOIN",
                "challenge_id": crew.challenge.id,
                "at": "2026-01-01T00:00:00+00:00",
                "online": [crew.alice.member.id],
                "member_id": crew.alice.member.id,
            },
        )
        received = [await asyncio.wait_for(queue.get(), 5) for queue in queues]

    # then every listener holds the very same decoded object, and the subscription is gone after
    assert isinstance(received[0], RoomEventPayload)
    assert received[0].online == (crew.alice.member.id,)
    assert all(event is received[0] for event in received)
    assert bus.channels == 0

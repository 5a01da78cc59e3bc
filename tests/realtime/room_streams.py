"""Room streams driven in process (no socket, no schema): the generator of ``roomEvents`` with
a chosen express lane, and messages stored without being published (a lost publish)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from models.chat import Message, Room
from subscriptions.executor import Sent
from subscriptions.room_events import Delivery, room_events
from tests.realtime.conftest import Crew, Local


async def stream_of(local: Local, crew: Crew, write: Callable[..., Sent]) -> AsyncGenerator[Delivery, None]:
    viewer = local.context(crew.bob).viewer
    assert viewer is not None
    return room_events(
        services=local.services,
        bus=local.bus,
        viewer=viewer,
        challenge_id=crew.challenge.id,
        after_seq=None,
        write=write,
    )


def bodies(deliveries: list[Delivery]) -> list[str]:
    return [delivery.event.message.body for delivery in deliveries if delivery.event.message is not None]


async def store_unpublished(crew: Crew, body: str) -> int:
    """A message committed while the bus was down: stored, never published."""
    async with in_transaction() as connection:
        room = await Room.get(challenge_id=crew.challenge.id).using_db(connection)
        await Room.filter(id=room.id).using_db(connection).update(last_seq=F("last_seq") + 1)
        room = await Room.get(id=room.id).using_db(connection)
        await Message.create(
            using_db=connection, room_id=room.id, seq=room.last_seq, sender_id=crew.alice.member.id, body=body
        )
    return int(room.last_seq)

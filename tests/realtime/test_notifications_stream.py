"""The notifications subscription: the viewer's own stream, replay after a cursor, then live."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from infra.settings import Settings
from models.notifications import Notification, NotificationType
from resolvers.notifications.records import create_notification, publish_notifications
from schema.types.notifications import notification_cursor
from subscriptions.bus import Bus
from tests.conftest import postgres_only
from tests.realtime.conftest import Crew, Local
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

NOTIFICATIONS = """
subscription Stream($after: String) {
  notifications(after: $after) { id cursor type content challengeId proofId read }
}
"""


async def notify(crew: Crew, member_id: int, content: str, bus: Bus | None = None) -> Notification:
    async with in_transaction() as connection:
        row = await create_notification(
            connection=connection,
            member_id=member_id,
            type=NotificationType.REGISTER,
            content=content,
            challenge_id=crew.challenge.id,
            created_at=dt.datetime.now(dt.UTC),
        )
    if bus is not None:
        await publish_notifications(bus, [row])
    return row


async def start(stream: AsyncGenerator[Any, None], local: Local) -> asyncio.Future[Any]:
    """Start pulling the stream and wait until it listens (a generator runs only when pulled)."""
    pending = asyncio.ensure_future(anext(stream))
    for _ in range(200):
        if local.bus.channels:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)  # past the "where does live start" read
    return pending


async def next_content(stream: AsyncGenerator[Any, None]) -> str:
    result = await asyncio.wait_for(anext(stream), 10)
    assert not result.errors, result.errors
    return result.data["notifications"]["content"]  # type: ignore[no-any-return]


@pytest.fixture
async def app_bus(settings: Settings) -> AsyncIterator[Bus]:
    """A bus on the app's own Redis (postgres back end): what the app's writers publish on."""
    bus = Bus(settings.bus_url)
    await bus.connect()
    yield bus
    await bus.disconnect()


async def test_live_stream_delivers_new_notifications_only(local: Local, crew: Crew) -> None:
    # given a notification from before the subscription
    await notify(crew, crew.alice.member.id, "old")
    stream = await local.subscribe(NOTIFICATIONS, {}, crew.alice)
    pending = await start(stream, local)

    # when two more are stored and published (and one for somebody else)
    await notify(crew, crew.bob.member.id, "not yours", local.services.bus)
    await notify(crew, crew.alice.member.id, "new 1", local.services.bus)
    await notify(crew, crew.alice.member.id, "new 2", local.services.bus)

    # then the stream yields only alice's new ones, in order
    first = await asyncio.wait_for(pending, 10)
    assert first.data["notifications"]["content"] == "new 1"
    assert first.data["notifications"]["type"] == "REGISTER"
    assert first.data["notifications"]["challengeId"] == crew.id
    assert await next_content(stream) == "new 2"
    await stream.aclose()
    assert local.bus.live_subscriptions == 0


async def test_stream_after_a_cursor_replays_then_goes_live_without_duplicates(
    local: Local, crew: Crew
) -> None:
    # given three stored notifications
    rows = [await notify(crew, crew.alice.member.id, f"stored {n}") for n in range(3)]

    # when alice resumes after the first, and a publish repeats an already replayed one
    stream = await local.subscribe(NOTIFICATIONS, {"after": notification_cursor(rows[0].seq)}, crew.alice)
    replayed = [await next_content(stream), await next_content(stream)]
    await publish_notifications(local.services.bus, [rows[2]])
    await notify(crew, crew.alice.member.id, "live", local.services.bus)

    # then she gets the two stored ones, then the live one, once each
    assert replayed == ["stored 1", "stored 2"]
    assert await next_content(stream) == "live"
    await stream.aclose()


async def test_bus_reconnected_marker_catches_up_notifications(local: Local, crew: Crew) -> None:
    # given a live stream, and a notification stored while the bus was down
    stream = await local.subscribe(NOTIFICATIONS, {}, crew.bob)
    pending = await start(stream, local)
    await notify(crew, crew.bob.member.id, "missed")

    # when the bus says it reconnected
    from events.channels import member_channel

    await local.services.bus.publish(member_channel(crew.bob.member.id), {"kind": "bus_reconnected"})

    # then the stored one is delivered
    assert (await asyncio.wait_for(pending, 10)).data["notifications"]["content"] == "missed"
    await stream.aclose()


async def test_stream_over_websocket_replays_stored_notifications(app: AppServer, crew: Crew) -> None:
    # given two stored notifications for alice
    rows = [await notify(crew, crew.alice.member.id, f"n{n}") for n in range(2)]

    # when alice subscribes from before the first
    async with await GraphQLWebSocket.connect(app.ws_url, token=crew.alice.token) as socket:
        op = await socket.subscribe(NOTIFICATIONS, {"after": notification_cursor(0)})
        received = [(await socket.next_data(op))["notifications"] for _ in rows]

    # then both arrive oldest first, with their cursors
    assert [item["content"] for item in received] == ["n0", "n1"]
    assert [item["cursor"] for item in received] == [notification_cursor(row.seq) for row in rows]
    assert received[0]["id"] == str(rows[0].id)


async def test_stream_anonymously_is_unauthenticated(app: AppServer) -> None:
    # given an anonymous connection
    async with await GraphQLWebSocket.connect(app.ws_url) as socket:
        # when it subscribes to notifications
        op = await socket.subscribe(NOTIFICATIONS, {})
        message = await socket.receive(op)

    # then the operation ends UNAUTHENTICATED
    errors = message["payload"]["errors"] if message["type"] == "next" else message["payload"]
    assert errors[0]["extensions"]["code"] == "UNAUTHENTICATED"


@postgres_only
async def test_stream_over_websocket_delivers_notifications_published_by_another_process(
    app: AppServer, app_bus: Bus, crew: Crew
) -> None:
    # given alice subscribed live on the app
    async with await GraphQLWebSocket.connect(app.ws_url, token=crew.alice.token) as socket:
        op = await socket.subscribe(NOTIFICATIONS, {})
        await socket.expect_nothing(op, within=0.3)

        # when this process stores and publishes one through the app's Redis
        row = await notify(crew, crew.alice.member.id, "via redis", app_bus)

        # then it arrives
        received = (await socket.next_data(op))["notifications"]
    assert (received["id"], received["content"]) == (str(row.id), "via redis")

"""Shared fan-out over real WebSockets: a real uvicorn serving the test-only fan-out app."""

from __future__ import annotations

import asyncio
import itertools

from tests.engine.fanout_app import CALLS, publish, subscribers
from tests.support.ws import GraphQLWebSocket, ProtocolClosed
from web.frames import PAYLOADS

TICKS = """
    subscription Ticks($room: Int!, $limit: Int) { ticks(room: $room, limit: $limit) { seq author { name } } }
"""
TICKS_WITH_EMAIL = "subscription Ticks($room: Int!) { ticks(room: $room) { seq author { id email } } }"
TICKS_FAILING = "subscription Ticks($room: Int!) { ticks(room: $room) { seq fail } }"

rooms = itertools.count(5000)


async def until_subscribed(room: int, count: int) -> None:
    async with asyncio.timeout(10):
        while subscribers(room) < count:  # noqa: ASYNC110 - generators register asynchronously
            await asyncio.sleep(0.01)


async def test_many_websocket_subscribers_get_one_shared_payload_per_event(fanout_server: str) -> None:
    # given: 30 real WebSocket clients (10 viewers) subscribed to one selection
    room = next(rooms)
    sockets = [await GraphQLWebSocket.connect(fanout_server, payload={"viewer": n % 10}) for n in range(30)]
    ids = [await ws.subscribe(TICKS, {"room": room}) for ws in sockets]
    await until_subscribed(room, 30)
    executed, serialised, reused = CALLS["Tick.author"], PAYLOADS.serialised, PAYLOADS.reused
    try:
        # when: five events are published
        for seq in range(5):
            publish(room, seq)
        # then: every client gets all five, in order, identical
        for ws, id in zip(sockets, ids, strict=True):
            for seq in range(5):
                assert await ws.next_data(id) == {"ticks": {"seq": seq, "author": {"name": "member 1"}}}
        # and: executed and serialised once per event, reused by the other 29
        assert CALLS["Tick.author"] - executed == 5
        assert PAYLOADS.serialised - serialised == 5
        assert PAYLOADS.reused - reused == 5 * 29
    finally:
        for ws in sockets:
            await ws.close()
    await until_gone(room)


async def until_gone(room: int) -> None:
    async with asyncio.timeout(10):
        while subscribers(room):  # noqa: ASYNC110 - cleanup runs in the server's tasks
            await asyncio.sleep(0.01)


async def test_viewer_dependent_selection_over_websockets_never_leaks_an_email(fanout_server: str) -> None:
    # given: viewers 1 and 2 (two sockets each) and an anonymous socket selecting Member.email
    room = next(rooms)
    viewers = [1, 2, 1, 2, None]
    sockets = [
        await GraphQLWebSocket.connect(fanout_server, payload={} if v is None else {"viewer": v})
        for v in viewers
    ]
    ids = [await ws.subscribe(TICKS_WITH_EMAIL, {"room": room}) for ws in sockets]
    await until_subscribed(room, len(sockets))
    try:
        # when: member 1 then member 2 author an event
        publish(room, 1, member=1)
        publish(room, 2, member=2)
        # then: an address reaches its owner only
        for viewer, ws, id in zip(viewers, sockets, ids, strict=True):
            first, second = await ws.next_data(id), await ws.next_data(id)
            assert first["ticks"]["author"] == {"id": 1, "email": "one@example.com" if viewer == 1 else None}
            assert second["ticks"]["author"] == {"id": 2, "email": "two@example.com" if viewer == 2 else None}
    finally:
        for ws in sockets:
            await ws.close()


async def test_protocol_complete_error_and_close_codes_still_hold(fanout_server: str) -> None:
    room = next(rooms)
    async with await GraphQLWebSocket.connect(fanout_server) as ws:
        # a finite subscription ends with "complete" after its last event
        done = await ws.subscribe(TICKS, {"room": room, "limit": 1})
        await until_subscribed(room, 1)
        publish(room, 7)
        assert await ws.next_data(done) == {"ticks": {"seq": 7, "author": {"name": "member 1"}}}
        assert (await ws.receive(done))["type"] == "complete"
        # a validation error is an "error" message for that operation
        invalid = await ws.subscribe("subscription { ticks(room: 1) { nope } }")
        message = await ws.receive(invalid)
        assert message["type"] == "error" and "nope" in message["payload"][0]["message"]
        # a field error arrives as a "next" with errors, the subscription goes on
        failing = await ws.subscribe(TICKS_FAILING, {"room": room})
        await until_subscribed(room, 1)
        publish(room, 8)
        message = await ws.receive(failing)
        assert message["type"] == "next" and message["payload"]["errors"][0]["message"] == "boom"
        # the client's "complete" stops the generator (its finally runs)
        await ws.complete(failing)
        await until_gone(room)
        # a duplicate operation id closes the socket with 4409
        await ws.subscribe(TICKS, {"room": room}, id="dup")
        await ws.subscribe(TICKS, {"room": room}, id="dup")
        try:
            await ws.receive("dup", timeout=5)
            raise AssertionError("expected the socket to close")
        except ProtocolClosed as closed:
            assert closed.code == 4409
    await until_gone(room)


async def test_subscribe_before_connection_init_closes_with_4401(fanout_server: str) -> None:
    ws = await GraphQLWebSocket.connect(fanout_server, init=False)
    await ws.subscribe(TICKS, {"room": next(rooms)})
    assert (await asyncio.wait_for(ws.wait_closed(), 5))[0] == 4401
    await ws.close()

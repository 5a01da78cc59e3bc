"""Express delivery: a room stream waiting for its next event gets it written straight to its
socket by the bus's delivery (one task, the group's result serialised once), and everything it
cannot take that way goes through its queue, in order, exactly once."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from events.room import RoomEventPayload, RoomEventType
from resolvers.chat.mutations import send_message
from subscriptions.executor import Sent
from subscriptions.room_events import Delivery
from tests.deploy.otlp_receiver import OtlpReceiver
from tests.realtime.conftest import SEND_MESSAGE, Crew, Local
from tests.realtime.probes import messages_received
from tests.realtime.room_streams import bodies, stream_of
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

ROOM_EVENTS = """
subscription Room($challengeId: ID!) {
  roomEvents(challengeId: $challengeId) { type cursor message { id body sender { id nickname } } }
}
"""
MESSAGES = 12

OpenSocket = Callable[..., Awaitable[GraphQLWebSocket]]


async def express_events(server: AppServer) -> float:
    async with httpx.AsyncClient(timeout=5) as http:
        text = (await http.get(f"{server.url}/metrics")).text
    match = re.search(r"^eroom_subscription_express_events_total (\S+)$", text, re.MULTILINE)
    assert match is not None, "eroom_subscription_express_events_total not exported"
    return float(match.group(1))


async def joined(socket: GraphQLWebSocket, op: str) -> None:
    assert (await socket.next_data(op))["roomEvents"]["type"] == "JOIN"


async def send_all(server: AppServer, crew: Crew, count: int) -> list[str]:
    async with GraphQLClient(server.url, token=crew.leader.token) as graphql:
        return [
            (await graphql.execute(SEND_MESSAGE, {"challengeId": crew.id, "body": f"m{index}"})).ok()[
                "sendMessage"
            ]["id"]
            for index in range(count)
        ]


async def test_room_events_reach_waiting_subscribers_through_the_express_lane_once_and_in_order(
    app: AppServer, crew: Crew, sockets: OpenSocket
) -> None:
    # given: alice and bob subscribed to the room (bob on two sockets), all waiting for events
    subscribers = [await sockets(member, server=app) for member in (crew.alice, crew.bob, crew.bob)]
    ops = [await socket.subscribe(ROOM_EVENTS, {"challengeId": crew.id}) for socket in subscribers]
    for socket, op in zip(subscribers, ops, strict=True):
        await joined(socket, op)
    await asyncio.sleep(0.3)  # the later JOINs reach the earlier streams
    before = await express_events(app)

    # when: the leader sends messages one after another
    sent = await send_all(app, crew, MESSAGES)

    # then: every subscriber gets every message once, in order, with the shared selection
    for socket, op in zip(subscribers, ops, strict=True):
        assert await messages_received(socket, op, MESSAGES) == sent
    # and: the bus wrote them to the waiting streams itself (not one queue step per subscriber)
    assert await express_events(app) - before >= MESSAGES * len(subscribers) // 2


async def test_a_completed_subscription_gets_no_frame_from_the_express_lane(
    app: AppServer, crew: Crew, sockets: OpenSocket
) -> None:
    # given: two subscriptions of the room on alice's socket, and the first one completed
    socket = await sockets(crew.alice, server=app)
    ended = await socket.subscribe(ROOM_EVENTS, {"challengeId": crew.id})
    kept = await socket.subscribe(ROOM_EVENTS, {"challengeId": crew.id})
    await joined(socket, ended)
    await joined(socket, kept)
    await socket.complete(ended)
    await asyncio.sleep(0.3)
    while not socket.queues[ended].empty():  # what was sent before it completed (the second JOIN)
        socket.queues[ended].get_nowait()

    # when: messages are sent
    sent = await send_all(app, crew, 3)

    # then: the kept one gets them all and the completed one nothing at all
    assert await messages_received(socket, kept, 3) == sent
    await socket.expect_nothing(ended, within=0.5)


async def test_express_frames_are_the_frames_of_the_stream_path(
    start_app: Callable[..., AppServer], crew: Crew
) -> None:
    # given: a server that compresses for clients that ask (an extension: the express lane
    # stands aside), bob's client asking for it and alice's not
    server = start_app(WS_PER_MESSAGE_DEFLATE="true")
    plain = await GraphQLWebSocket.connect(server.ws_url, token=crew.alice.token, compression=None)
    deflated = await GraphQLWebSocket.connect(server.ws_url, token=crew.bob.token, compression="deflate")
    assert plain.connection.protocol.extensions == []
    assert deflated.connection.protocol.extensions != []
    try:
        plain_op = await plain.subscribe(ROOM_EVENTS, {"challengeId": crew.id})
        await joined(plain, plain_op)
        deflated_op = await deflated.subscribe(ROOM_EVENTS, {"challengeId": crew.id})
        await joined(deflated, deflated_op)
        await plain.next_data(plain_op)  # bob's JOIN
        before = await express_events(server)

        # when: messages are sent
        await send_all(server, crew, 3)

        # then: both get the very same messages, alice's written by the express lane
        plain_frames = [await plain.receive(plain_op) for _ in range(3)]
        deflated_frames = [await deflated.receive(deflated_op) for _ in range(3)]
        assert [frame["payload"] for frame in plain_frames] == [frame["payload"] for frame in deflated_frames]
        assert {frame["type"] for frame in plain_frames} == {"next"}
        assert await express_events(server) - before >= 1
    finally:
        await plain.close()
        await deflated.close()


async def post(local: Local, crew: Crew, body: str) -> int:
    viewer = local.context(crew.alice).viewer
    assert viewer is not None
    message = await send_message(
        services=local.services, viewer=viewer, challenge_id=crew.challenge.id, body=body
    )
    return message.seq


async def check_a_late_write(local: Local, crew: Crew, *, written: bool) -> list[Delivery]:
    """Bob's stream with a lane that writes everything at once except m0, whose write ends
    later (``written`` or not) after m1 and m2 arrived; what the stream's own loop delivered."""
    later: list[Callable[[bool], None]] = []

    def write(event: RoomEventPayload, sent_later: Callable[[bool], None]) -> Sent:
        if event.type is RoomEventType.MESSAGE and event.message is not None and event.message.body == "m0":
            later.append(sent_later)
            return Sent.LATER
        return Sent.NOW

    stream = await stream_of(local, crew, write)
    taker: asyncio.Task[Any] = asyncio.ensure_future(anext(stream))
    delivered: list[Delivery] = []
    try:
        await asyncio.sleep(0.2)  # open: listening, bob's JOIN written by the lane
        for body in ("m0", "m1", "m2"):
            await post(local, crew, body)
        await asyncio.sleep(0.2)
        assert len(later) == 1 and not taker.done()  # m1 and m2 wait behind m0
        later[0](written)
        delivered.append(await asyncio.wait_for(taker, 5))
        delivered.append(await asyncio.wait_for(anext(stream), 5))
        if not written:
            delivered.append(await asyncio.wait_for(anext(stream), 5))
        taker = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0.2)
        assert not taker.done()  # nothing more, nothing twice
    finally:
        taker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await taker
        await stream.aclose()
    return delivered


async def test_an_express_write_that_fails_later_is_delivered_by_the_stream_first(
    local: Local, crew: Crew
) -> None:
    delivered = await check_a_late_write(local, crew, written=False)
    assert bodies(delivered) == ["m0", "m1", "m2"]
    assert [delivery.event.seq for delivery in delivered] == sorted(
        delivery.event.seq for delivery in delivered
    )


async def test_an_express_write_that_succeeds_later_is_not_delivered_twice(local: Local, crew: Crew) -> None:
    delivered = await check_a_late_write(local, crew, written=True)
    assert bodies(delivered) == ["m1", "m2"]


async def test_tracing_keeps_the_express_lane(start_app: Callable[..., AppServer], crew: Crew) -> None:
    # given: an instance exporting traces (its ASGI middleware wraps every send) and a subscriber
    with OtlpReceiver() as receiver:
        server = start_app(OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY="100")
        socket = await GraphQLWebSocket.connect(server.ws_url, token=crew.alice.token)
        try:
            op = await socket.subscribe(ROOM_EVENTS, {"challengeId": crew.id})
            await joined(socket, op)
            before = await express_events(server)
            # when: messages are sent
            sent = await send_all(server, crew, 3)
            # then: they arrive, written by the express lane all the same
            assert await messages_received(socket, op, 3) == sent
            assert await express_events(server) - before >= 1
        finally:
            await socket.close()

"""graphql-transport-ws on real sockets: close codes, limits, frame size, origins, protocols."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

import pytest
import websockets

from tests.hardening.conftest import TICKING_APP
from tests.support.factories import Account
from tests.support.servers import AppServer, RedisServer
from tests.support.ws import PROTOCOL, GraphQLWebSocket, ProtocolClosed

TICKS = "subscription Ticks { ticks(interval: 0.05) }"
ME = "query Me { me { id } }"


async def _closed_with(ws: GraphQLWebSocket) -> int | None:
    code, _ = await asyncio.wait_for(ws.wait_closed(), 10)
    return code


async def test_invalid_message_closes_4400(app: AppServer) -> None:
    ws = await GraphQLWebSocket.connect(app.ws_url)

    await ws.connection.send("this is not json")

    assert await _closed_with(ws) == 4400


async def test_unknown_message_type_closes_4400(app: AppServer) -> None:
    ws = await GraphQLWebSocket.connect(app.ws_url)

    await ws.send({"type": "gimme"})

    assert await _closed_with(ws) == 4400


async def test_subscribe_before_ack_closes_4401(app: AppServer) -> None:
    ws = await GraphQLWebSocket.connect(app.ws_url, init=False)

    await ws.subscribe(ME)

    assert await _closed_with(ws) == 4401


async def test_invalid_token_at_init_closes_4403(app: AppServer) -> None:
    ws = await GraphQLWebSocket.connect(app.ws_url, init=False)

    await ws.send({"type": "connection_init", "payload": {"Authorization": "Bearer not-a-token"}})

    assert await _closed_with(ws) == 4403


async def test_no_init_within_timeout_closes_4408(start_app: Callable[..., AppServer]) -> None:
    node = start_app(WS_CONNECTION_INIT_TIMEOUT="0.5")
    ws = await GraphQLWebSocket.connect(node.ws_url, init=False)

    assert await _closed_with(ws) == 4408


async def test_duplicate_subscriber_id_closes_4409(ticking_app: AppServer) -> None:
    ws = await GraphQLWebSocket.connect(ticking_app.ws_url)
    await ws.subscribe(TICKS, id="same")
    await ws.next_data("same")

    await ws.subscribe(TICKS, id="same")

    assert await _closed_with(ws) == 4409


async def test_second_init_closes_4429(app: AppServer) -> None:
    ws = await GraphQLWebSocket.connect(app.ws_url)

    await ws.send({"type": "connection_init", "payload": {}})

    assert await _closed_with(ws) == 4429


async def test_queries_run_over_the_socket(app: AppServer, new_account: Callable) -> None:
    account: Account = await new_account()
    async with await GraphQLWebSocket.connect(app.ws_url, token=account.token) as ws:
        op = await ws.subscribe(ME)

        data = await ws.next_data(op)

    assert data == {"me": {"id": str(account.member.id)}}


async def test_subscriptions_per_connection_are_capped(
    start_app: Callable[..., AppServer],
) -> None:
    node = start_app(command=TICKING_APP, WS_MAX_SUBSCRIPTIONS_PER_CONNECTION="2")
    async with await GraphQLWebSocket.connect(node.ws_url) as ws:
        first, second = await ws.subscribe(TICKS), await ws.subscribe(TICKS)
        await ws.next_data(first)
        await ws.next_data(second)

        third = await ws.subscribe(TICKS)
        refused = await ws.receive(third)

        # the connection itself stays usable
        assert refused["type"] == "error"
        assert "at most" in refused["payload"][0]["message"].lower()
        assert refused["payload"][0]["extensions"] == {"code": "QUERY_TOO_COMPLEX"}
        await ws.complete(first)
        fourth = await ws.subscribe(TICKS)
        assert "ticks" in await ws.next_data(fourth)


async def test_frame_over_64_kb_closes_the_socket(app: AppServer) -> None:
    ws = await GraphQLWebSocket.connect(app.ws_url)

    await ws.subscribe("query Big($p: String) { __typename }", {"p": "x" * 70_000})

    assert await _closed_with(ws) == 1009  # "message too big"


async def test_frame_under_64_kb_is_served(app: AppServer) -> None:
    async with await GraphQLWebSocket.connect(app.ws_url) as ws:
        op = await ws.subscribe("query Big($p: ID!) { member(id: $p) { id } }", {"p": "x" * 60_000})
        answer = await ws.receive(op)

    # answered (the id is refused as input), not cut off
    assert answer["type"] == "next"
    assert answer["payload"]["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}


async def test_legacy_graphql_ws_protocol_is_refused_by_default(app: AppServer) -> None:
    async with websockets.connect(app.ws_url, subprotocols=["graphql-ws"]) as connection:  # type: ignore[list-item]
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(connection.recv(), 10)

    assert connection.subprotocol is None
    assert connection.close_code == 4406


async def test_legacy_graphql_ws_protocol_when_enabled(start_app: Callable[..., AppServer]) -> None:
    node = start_app(LEGACY_GRAPHQL_WS="true")
    async with websockets.connect(node.ws_url, subprotocols=["graphql-ws"]) as connection:  # type: ignore[list-item]
        await connection.send(json.dumps({"type": "connection_init", "payload": {}}))
        ack = json.loads(await asyncio.wait_for(connection.recv(), 10))

    assert connection.subprotocol == "graphql-ws"
    assert ack["type"] == "connection_ack"


async def test_browser_upgrade_from_unknown_origin_is_refused(app: AppServer) -> None:
    with pytest.raises(websockets.InvalidStatus) as refused:
        await GraphQLWebSocket.connect(app.ws_url, headers={"Origin": "https://evil.example"})

    assert refused.value.response.status_code == 403


async def test_browser_upgrade_from_cors_origin_is_accepted(app: AppServer) -> None:
    async with await GraphQLWebSocket.connect(app.ws_url, headers={"Origin": "http://localhost:3000"}) as ws:
        op = await ws.subscribe("{ __typename }")

        assert await ws.next_data(op) == {"__typename": "Query"}


async def test_connections_per_member_are_capped(
    start_app: Callable[..., AppServer], new_account: Callable
) -> None:
    node = start_app(WS_MAX_CONNECTIONS_PER_MEMBER="2")
    account: Account = await new_account()
    first = await GraphQLWebSocket.connect(node.ws_url, token=account.token)
    second = await GraphQLWebSocket.connect(node.ws_url, token=account.token)

    refused = await GraphQLWebSocket.connect(node.ws_url, init=False)
    await refused.send({"type": "connection_init", "payload": {"Authorization": f"Bearer {account.token}"}})
    assert await _closed_with(refused) == 4403

    # a closed connection frees its slot; anonymous sockets are not counted per member
    await first.close()
    await asyncio.sleep(0.3)
    third = await GraphQLWebSocket.connect(node.ws_url, token=account.token)
    anonymous = await GraphQLWebSocket.connect(node.ws_url)
    for ws in (second, third, anonymous):
        await ws.close()


async def test_connections_per_member_are_counted_across_instances(
    start_app: Callable[..., AppServer], new_account: Callable
) -> None:
    redis = RedisServer()
    redis.start()
    try:
        one = start_app(WS_MAX_CONNECTIONS_PER_MEMBER="2", REDIS_URL=redis.url)
        two = start_app(WS_MAX_CONNECTIONS_PER_MEMBER="2", REDIS_URL=redis.url)
        account: Account = await new_account()
        held = [await GraphQLWebSocket.connect(node.ws_url, token=account.token) for node in (one, two)]

        refused = await GraphQLWebSocket.connect(two.ws_url, init=False)
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {account.token}"}}
        await refused.send(init)

        assert await _closed_with(refused) == 4403
        await held[0].close()
        await asyncio.sleep(0.3)
        again = await GraphQLWebSocket.connect(two.ws_url, token=account.token)
        for ws in (held[1], again):
            await ws.close()
    finally:
        redis.stop()


async def test_server_pings_idle_sockets(start_app: Callable[..., AppServer]) -> None:
    node = start_app(WS_KEEPALIVE_INTERVAL="0.3")
    frames: list[str] = []

    class Recorder(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            frames.append(record.getMessage())

    # the websockets library logs every control frame at DEBUG
    logger = logging.getLogger("websockets.client")
    recorder, level = Recorder(), logger.level
    logger.addHandler(recorder)
    logger.setLevel(logging.DEBUG)
    try:
        async with await GraphQLWebSocket.connect(node.ws_url):
            await asyncio.sleep(1.2)
    finally:
        logger.removeHandler(recorder)
        logger.setLevel(level)

    pings = [frame for frame in frames if frame.startswith("< PING")]
    assert len(pings) >= 2, frames


async def test_protocol_closed_reports_code(app: AppServer) -> None:
    ws = await GraphQLWebSocket.connect(app.ws_url, init=False)
    await ws.subscribe(ME, id="early")

    with pytest.raises(ProtocolClosed) as closed:
        await ws.receive("early")

    assert closed.value.code == 4401
    assert ws.connection.subprotocol == PROTOCOL

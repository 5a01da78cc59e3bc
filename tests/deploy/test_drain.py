"""SIGTERM drains an instance: it leaves the load balancer, finishes what it is answering, then
closes its WebSockets with 1012 (web/drain.py)."""

from __future__ import annotations

import asyncio
import signal
import socket
import time
from collections.abc import Callable

from tests.hardening.conftest import TICKING_APP
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

TICKS = "subscription { ticks(interval: 0.05) }"
TYPENAME = b'{"query": "{ __typename }"}'


async def _open(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port)


async def _response(reader: asyncio.StreamReader) -> tuple[str, str, str]:
    """Status line, headers (both lower-cased) and body of one HTTP response."""
    head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)).decode("latin-1").lower()
    length = next(int(line.split(":")[1]) for line in head.split("\r\n") if line.startswith("content-length"))
    body = (await reader.readexactly(length)).decode()
    status, _, headers = head.partition("\r\n")
    return status, headers, body


def _refused(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


async def test_sigterm_drains_before_closing_sockets(start_app: Callable[..., AppServer]) -> None:
    # given an instance with a running subscription, a request whose body is still arriving,
    # and an idle keep-alive connection
    node = start_app(command=TICKING_APP, DRAIN_SECONDS="10")
    ws = await GraphQLWebSocket.connect(node.ws_url)
    op = await ws.subscribe(TICKS)
    await ws.next_data(op)
    slow_reader, slow_writer = await _open(node.port)
    slow_writer.write(
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(TYPENAME)}\r\n\r\n".encode()
        + TYPENAME[:10]
    )
    idle_reader, idle_writer = await _open(node.port)
    idle_writer.write(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert (await _response(idle_reader))[0] == "http/1.1 200 ok"
    await asyncio.sleep(0.3)  # the app is reading the slow request's body

    # when the instance gets SIGTERM
    assert node.process is not None
    node.process.send_signal(signal.SIGTERM)
    await asyncio.sleep(0.5)

    # then it refuses new connections, says it is draining, and keeps streaming
    assert await asyncio.to_thread(_refused, node.port)
    idle_writer.write(b"GET /ready HTTP/1.1\r\nHost: x\r\n\r\n")
    status, headers, body = await _response(idle_reader)
    assert status == "http/1.1 503 service unavailable"
    assert body == '{"status":"draining"}'
    assert "connection: close" in headers
    ticks_during_drain = [await ws.next_data(op) for _ in range(3)]
    assert len(ticks_during_drain) == 3

    # and the running request completes before the sockets close with 1012
    slow_writer.write(TYPENAME[10:])
    status, headers, body = await _response(slow_reader)
    assert status == "http/1.1 200 ok"
    assert body == '{"data":{"__typename":"Query"}}'
    assert "connection: close" in headers
    started = time.monotonic()
    close_code, _ = await asyncio.wait_for(ws.wait_closed(), 10)
    assert close_code == 1012
    assert time.monotonic() - started < 5  # not the 10 s drain limit: nothing was running any more
    code = await asyncio.to_thread(node.process.wait, 15)
    assert code in (0, -signal.SIGTERM)
    for writer in (slow_writer, idle_writer):
        writer.close()

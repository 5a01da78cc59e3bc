"""A graphql-transport-ws client for the tests, on the real ``websockets`` library."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from typing import Any

import websockets
from websockets.asyncio.client import ClientConnection

PROTOCOL = "graphql-transport-ws"


class ProtocolClosed(Exception):
    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"closed {code}: {reason}")
        self.code = code
        self.reason = reason


class GraphQLWebSocket:
    """One WebSocket connection; messages are sorted per operation id as they arrive."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.queues: dict[str, asyncio.Queue[dict[str, Any]]] = defaultdict(asyncio.Queue)
        self.pongs: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._reader = asyncio.create_task(self._read())
        self._ids = 0

    @classmethod
    async def connect(
        cls,
        url: str,
        *,
        token: str | None = None,
        payload: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        init: bool = True,
        compression: str | None = "deflate",
    ) -> GraphQLWebSocket:
        connection = await websockets.connect(
            url,
            subprotocols=[PROTOCOL],
            additional_headers=headers or {},
            max_size=2**22,  # type: ignore[list-item]
            compression=compression,
        )
        if not init:
            return cls(connection)
        init_payload = dict(payload or {})
        if token:
            init_payload["Authorization"] = f"Bearer {token}"
        await connection.send(json.dumps({"type": "connection_init", "payload": init_payload}))
        ack = json.loads(await asyncio.wait_for(connection.recv(), 10))
        if ack.get("type") != "connection_ack":
            raise AssertionError(f"expected connection_ack, got {ack}")
        return cls(connection)

    async def _read(self) -> None:
        try:
            async for raw in self.connection:
                message = json.loads(raw)
                if message.get("type") in ("ping", "pong"):
                    if message["type"] == "ping":
                        await self.connection.send(json.dumps({"type": "pong"}))
                    else:
                        self.pongs.put_nowait(message)
                    continue
                self.queues[message.get("id", "")].put_nowait(message)
        except websockets.ConnectionClosed:
            pass

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def subscribe(
        self, query: str, variables: dict[str, Any] | None = None, *, id: str | None = None
    ) -> str:
        if id is None:
            self._ids += 1
            id = str(self._ids)
        await self.send(
            {"id": id, "type": "subscribe", "payload": {"query": query, "variables": variables or {}}}
        )
        return id

    async def receive(self, id: str, timeout: float = 10.0) -> dict[str, Any]:
        """The next message for operation ``id`` (``next``, ``error`` or ``complete``)."""
        getter = asyncio.ensure_future(self.queues[id].get())
        closed = asyncio.ensure_future(self.wait_closed())
        done, _ = await asyncio.wait({getter, closed}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        closed.cancel()
        if getter in done:
            return getter.result()
        getter.cancel()
        if closed in done:
            raise ProtocolClosed(self.connection.close_code, self.connection.close_reason or "")
        raise TimeoutError(f"no message for operation {id} within {timeout}s")

    async def next_data(self, id: str, timeout: float = 10.0) -> dict[str, Any]:
        message = await self.receive(id, timeout)
        assert message["type"] == "next", message
        assert not message["payload"].get("errors"), message["payload"]
        return message["payload"]["data"]

    async def expect_nothing(self, id: str, within: float = 0.3) -> None:
        try:
            message = await asyncio.wait_for(self.queues[id].get(), within)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected message {message}")

    async def complete(self, id: str) -> None:
        await self.send({"id": id, "type": "complete"})

    async def wait_closed(self) -> tuple[int | None, str]:
        await self.connection.wait_closed()
        return self.connection.close_code, self.connection.close_reason or ""

    async def close(self) -> None:
        await self.connection.close()
        self._reader.cancel()

    async def __aenter__(self) -> GraphQLWebSocket:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

"""Clients that behave like the real ones during a rolling restart: a subscriber that reconnects
when its socket closes and resumes by cursor (as graphql-ws does after 1012), and a sender that
retries a failed sendMessage with the same clientMessageId until it is acknowledged."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import websockets

from tests.support.ws import PROTOCOL

ROOM_EVENTS = """
subscription Room($challengeId: ID!, $after: String) {
  roomEvents(challengeId: $challengeId, after: $after) { type cursor message { id body } }
}
"""
SEND_MESSAGE = """
mutation Send($challengeId: ID!, $body: String!, $clientMessageId: String) {
  sendMessage(challengeId: $challengeId, body: $body, clientMessageId: $clientMessageId) { id cursor }
}
"""
RETRY_DELAY = 0.1


@dataclass
class Subscriber:
    url: str
    token: str
    challenge_id: str
    cursor: str  # where the client's history ends (a real client loads the history first)
    seen: Counter[str] = field(default_factory=Counter)  # message id -> deliveries
    sessions: int = 0
    resumed_by_cursor: int = 0
    close_codes: list[int | None] = field(default_factory=list)
    stopping: bool = False
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)  # set by its first event

    async def run(self) -> None:
        while not self.stopping:
            try:
                await self._session()
            except (OSError, websockets.WebSocketException, TimeoutError):
                await asyncio.sleep(RETRY_DELAY)  # nginx answered 502 or the upgrade failed: retry

    async def _session(self) -> None:
        async with websockets.connect(self.url, subprotocols=[PROTOCOL], open_timeout=10) as socket:
            init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {self.token}"}}
            await socket.send(json.dumps(init))
            assert json.loads(await asyncio.wait_for(socket.recv(), 10))["type"] == "connection_ack"
            variables = {"challengeId": self.challenge_id, "after": self.cursor}
            payload = {"query": ROOM_EVENTS, "variables": variables}
            await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
            self.sessions += 1
            self.resumed_by_cursor += self.sessions > 1
            async for raw in socket:
                await self._on_message(socket, json.loads(raw))
            self.close_codes.append(socket.close_code)  # the server closed it

    async def _on_message(self, socket: Any, message: dict[str, Any]) -> None:
        if message["type"] == "ping":
            await socket.send('{"type": "pong"}')
        elif message["type"] == "next":
            self.subscribed.set()  # an event arrived: the stream is live (a JOIN, at the latest its own)
            event = message["payload"]["data"]["roomEvents"]
            if event["type"] == "MESSAGE":
                self.seen[event["message"]["id"]] += 1
                self.cursor = event["cursor"]
        elif message["type"] in ("error", "complete"):
            raise AssertionError(f"subscription ended: {message}")


@dataclass
class Sender:
    graphql_url: str
    token: str
    challenge_id: str
    name: str
    acknowledged: dict[str, str] = field(default_factory=dict)  # clientMessageId -> message id
    latencies: list[float] = field(default_factory=list)  # first attempt to acknowledgement
    failed_attempts: int = 0
    stopping: bool = False

    async def run(self, interval: float) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with httpx.AsyncClient(timeout=10, headers=headers) as http:
            sequence = 0
            while not self.stopping:
                sequence += 1
                await self._send_until_acknowledged(http, f"{self.name}-{sequence}")
                await asyncio.sleep(interval)

    async def _send_until_acknowledged(self, http: httpx.AsyncClient, client_message_id: str) -> None:
        variables = {"challengeId": self.challenge_id, "body": client_message_id}
        payload = {"query": SEND_MESSAGE, "variables": {**variables, "clientMessageId": client_message_id}}
        started = time.monotonic()
        while True:
            with contextlib.suppress(httpx.HTTPError, ValueError, KeyError, TypeError):
                response = await http.post(self.graphql_url, json=payload)
                message = response.json()["data"]["sendMessage"]
                self.acknowledged[client_message_id] = message["id"]
                self.latencies.append(time.monotonic() - started)
                return
            self.failed_attempts += 1
            await asyncio.sleep(RETRY_DELAY)

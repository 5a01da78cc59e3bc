"""The actors of the chaos test: senders that retry through either instance, subscribers that
resume by cursor whenever their stream or their instance dies, and probes of the instances."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.realtime.conftest import SEND_MESSAGE
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket, ProtocolClosed

ROOM_EVENTS = """
subscription R($c: ID!, $after: String) {
  roomEvents(challengeId: $c, after: $after) { type cursor message { id } }
}
"""


def alive(servers: list[AppServer]) -> list[AppServer]:
    return [server for server in servers if server.process is not None and server.process.poll() is None]


@dataclass
class Sender:
    """Posts until stopped, each message under a clientMessageId of its own: a send that failed
    (an instance killed mid-request) is retried on the other instance without duplicating."""

    name: str
    account: Account
    servers: list[AppServer]
    challenge_id: str
    acked: dict[str, float] = field(default_factory=dict)  # message id -> when acknowledged
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    pace: float = 0.1

    async def run(self) -> None:
        turn = 0
        while not self.stopping.is_set():
            variables = {"challengeId": self.challenge_id, "body": f"{self.name} {turn}"}
            variables["clientMessageId"] = f"{self.name}-{turn}"
            message_id = await self._send(variables, turn)
            self.acked[message_id] = time.monotonic()
            turn += 1
            await asyncio.sleep(self.pace)

    async def _send(self, variables: dict[str, Any], turn: int) -> str:
        while True:
            for server in alive(self.servers)[turn % 2 :] + alive(self.servers)[: turn % 2]:
                try:
                    async with GraphQLClient(server.url, token=self.account.token) as graphql:
                        result = await graphql.execute(SEND_MESSAGE, variables)
                    return str(result.ok()["sendMessage"]["id"])
                except (httpx.HTTPError, AssertionError):
                    continue
            await asyncio.sleep(0.1)


@dataclass
class Subscriber:
    """One member's roomEvents stream that resumes by cursor on any instance it can reach."""

    account: Account
    home: AppServer
    servers: list[AppServer]
    challenge_id: str
    received: list[str] = field(default_factory=list)
    arrived: dict[str, float] = field(default_factory=dict)
    cursor: str | None = None
    resumes: int = 0
    ended: tuple[str, float] | None = None  # the final error code, and when
    live: asyncio.Event = field(default_factory=asyncio.Event)

    async def run(self) -> None:
        first = True
        while self.ended is None:
            for server in [self.home, *[other for other in self.servers if other is not self.home]]:
                if not first:
                    self.resumes += 1
                first = False
                try:
                    await self._stream(server)
                    break
                except (OSError, ProtocolClosed, TimeoutError, AssertionError):
                    continue
            if self.ended is None:
                await asyncio.sleep(0.2)

    async def _stream(self, server: AppServer) -> None:
        socket = await GraphQLWebSocket.connect(server.ws_url, token=self.account.token)
        try:
            op = await socket.subscribe(ROOM_EVENTS, {"c": self.challenge_id, "after": self.cursor})
            while True:
                message = await socket.receive(op, 3600)
                if message["type"] != "next" or message["payload"].get("errors"):
                    self._ended_with(message)
                    return
                self._take(message["payload"]["data"]["roomEvents"])
        finally:
            await socket.close()

    def _take(self, event: dict[str, Any]) -> None:
        if event["type"] == "JOIN":
            self.live.set()
        if event["cursor"] is not None:
            self.cursor = event["cursor"]
        if event["type"] == "MESSAGE":
            self.received.append(event["message"]["id"])
            self.arrived.setdefault(event["message"]["id"], time.monotonic())

    def _ended_with(self, message: dict[str, Any]) -> None:
        if message["type"] == "next":
            errors = message["payload"]["errors"]
        else:
            errors = message["payload"] if message["type"] == "error" else []
        code = errors[0].get("extensions", {}).get("code") if errors else "COMPLETE"
        if code in ("FORBIDDEN", "NOT_FOUND"):
            self.ended = (code, time.monotonic())
        # anything else (an interrupted stream, a server going away): resume by cursor


async def metric(server: AppServer, name: str) -> float:
    async with httpx.AsyncClient(timeout=5) as http:
        text = (await http.get(f"{server.url}/metrics")).text
    match = re.search(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def rss_kib(server: AppServer) -> int:
    for line in Path(f"/proc/{server.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


async def online(server: AppServer, token: str, challenge_id: str) -> set[str]:
    query = "query O($c: ID!) { room(challengeId: $c) { onlineMembers { id } } }"
    async with httpx.AsyncClient(timeout=2) as http:
        response = await http.post(
            f"{server.url}/graphql",
            json={"query": query, "variables": {"c": challenge_id}},
            headers={"authorization": f"Bearer {token}"},
        )
    return {member["id"] for member in response.json()["data"]["room"]["onlineMembers"]}

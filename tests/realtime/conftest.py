"""Fixtures of the real-time tests: a challenge with members, WebSockets, an in-process stack.

The in-process stack (``local``) is the app's own ``Services`` and schema running inside the
test process, so a test can publish on the very bus the subscriptions read (the memory bus
of a uvicorn subprocess is out of reach) and can read the live-subscription counter.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from redis.asyncio import Redis

from infra.services import Services
from infra.settings import Settings
from infra.tokens import decode_access_token
from models.challenges import Challenge
from schema.context import Context
from schema.root import Schema, build_schema
from subscriptions.bus import Bus
from tests.support.factories import Account, add_member, make_challenge
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer, RedisServer, redis_server
from tests.support.ws import GraphQLWebSocket
from web.services import Runtime, build_runtime


@dataclass
class Crew:
    """A challenge with its leader and two more members, plus an outsider."""

    challenge: Challenge
    leader: Account
    alice: Account
    bob: Account
    outsider: Account

    @property
    def id(self) -> str:
        return str(self.challenge.id)


@pytest.fixture
async def crew(new_account: Callable[..., Awaitable[Account]]) -> Crew:
    leader, alice, bob, outsider = [await new_account() for _ in range(4)]
    challenge = await make_challenge(leader)
    await add_member(challenge, alice)
    await add_member(challenge, bob)
    return Crew(challenge=challenge, leader=leader, alice=alice, bob=bob, outsider=outsider)


@pytest.fixture
async def sockets() -> AsyncIterator[Callable[..., Awaitable[GraphQLWebSocket]]]:
    """Open WebSockets (closed after the test): ``await ws(account_or_None, server=app)``."""
    opened: list[GraphQLWebSocket] = []

    async def open_socket(account: Account | None, server: AppServer) -> GraphQLWebSocket:
        socket = await GraphQLWebSocket.connect(server.ws_url, token=account.token if account else None)
        opened.append(socket)
        return socket

    yield open_socket
    for socket in opened:
        await socket.close()


SEND_MESSAGE = """
mutation Send($challengeId: ID!, $body: String!, $clientMessageId: String) {
  sendMessage(challengeId: $challengeId, body: $body, clientMessageId: $clientMessageId) {
    id cursor body sender { id nickname } createdAt
  }
}
"""


async def send(
    app: AppServer, account: Account, challenge_id: str, body: str, **extra: Any
) -> dict[str, Any]:
    async with GraphQLClient(app.url, token=account.token) as graphql:
        result = await graphql.execute(SEND_MESSAGE, {"challengeId": challenge_id, "body": body, **extra})
    return result.ok()["sendMessage"]  # type: ignore[no-any-return]


@dataclass
class Local:
    """The app's services and schema inside the test process."""

    services: Services
    bus: Bus
    schema: Schema
    settings: Settings

    def context(self, account: Account | None) -> Context:
        viewer = decode_access_token(account.token, self.settings) if account else None
        return Context(services=self.services, bus=self.bus, request=None, viewer=viewer)  # type: ignore[arg-type]

    async def subscribe(self, query: str, variables: dict[str, Any], account: Account | None) -> Any:
        return await self.schema.subscribe(
            query, variable_values=variables, context_value=self.context(account)
        )


async def _start_local(settings: Settings) -> tuple[Runtime, Local]:
    runtime = build_runtime(settings)
    await runtime.start_live()
    local = Local(
        services=runtime.services, bus=runtime.bus, schema=build_schema(settings), settings=settings
    )
    return runtime, local


async def _stop_local(runtime: Runtime) -> None:
    await runtime.stop_live()
    if runtime.services.redis is not None:
        await runtime.services.redis.aclose()


@pytest.fixture
async def local(settings: Settings) -> AsyncIterator[Local]:
    runtime, stack = await _start_local(settings)
    yield stack
    await _stop_local(runtime)


@pytest.fixture
async def make_local(settings: Settings) -> AsyncIterator[Callable[..., Awaitable[Local]]]:
    """In-process stacks with settings of their own: ``await make_local(presence_ttl=30)``."""
    started: list[Runtime] = []

    async def make(**updates: Any) -> Local:
        runtime, stack = await _start_local(settings.model_copy(update=updates))
        started.append(runtime)
        return stack

    yield make
    for runtime in started:
        await _stop_local(runtime)


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A redis-server of this test's own: stopping it must not disturb the shared app."""
    with redis_server() as server:
        yield server


@pytest.fixture
async def redis_client(own_redis: RedisServer) -> AsyncIterator[Redis]:
    client = Redis.from_url(own_redis.url)
    yield client
    await client.aclose()


async def pause_writes(redis: Redis, seconds: float) -> None:
    """``CLIENT PAUSE ... WRITE``: Redis holds every write (PUBLISH, ZADD, INCR) for ``seconds``."""
    await redis.execute_command("CLIENT", "PAUSE", int(seconds * 1000), "WRITE")


async def stream_error(socket: GraphQLWebSocket, op: str, within: float) -> dict[str, Any]:
    """The error that ends operation ``op`` within ``within`` seconds (events before it skipped)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        message = await socket.receive(op, max(deadline - loop.time(), 0.01))
        if message["type"] == "error":
            return message["payload"][0]  # type: ignore[no-any-return]
        if message["type"] == "next" and message["payload"].get("errors"):
            return message["payload"]["errors"][0]  # type: ignore[no-any-return]
        assert message["type"] == "next", f"ended without an error: {message}"

"""An error raised while a subscription streams is the server's, not the client's: the client
gets INTERNAL_SERVER_ERROR with the request id and nothing of the failure itself; the log gets
the traceback."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable

from tortoise import connections

from tests.realtime.conftest import Crew, send, stream_error
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

ROOM_EVENTS = """
subscription R($c: ID!, $after: String) { roomEvents(challengeId: $c, after: $after) { type cursor } }
"""

OpenSocket = Callable[..., Awaitable[GraphQLWebSocket]]


class TableAway:
    """Renames a table for the duration of a block, so the app's next query on it fails."""

    def __init__(self, table: str) -> None:
        self.table = table

    async def __aenter__(self) -> None:
        await connections.get("default").execute_script(
            f"ALTER TABLE {self.table} RENAME TO {self.table}_away"
        )

    async def __aexit__(self, *exc: object) -> None:
        await connections.get("default").execute_script(
            f"ALTER TABLE {self.table}_away RENAME TO {self.table}"
        )


async def logged(server: AppServer, request_id: str) -> AsyncIterator[dict[str, object]]:
    for line in server.log().splitlines():
        if line.startswith("{") and request_id in line:
            yield json.loads(line)


async def test_a_failure_while_replaying_is_an_internal_error_with_the_request_id(
    start_app: Callable[..., AppServer], crew: Crew, sockets: OpenSocket
) -> None:
    # given a room with a message, and a client resuming after it
    server = start_app()
    cursor = (await send(server, crew.alice, crew.id, "first"))["cursor"]
    alice = await sockets(crew.alice, server=server)

    # when the replay fails inside the server (its table is missing)
    async with TableAway("room_log_entry"):
        op = await alice.subscribe(ROOM_EVENTS, {"c": crew.id, "after": cursor})
        error = await stream_error(alice, op, 10)

    # then the client gets INTERNAL_SERVER_ERROR with a request id, and no SQL, table or driver text
    assert error["message"] == "Internal server error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    request_id = error["extensions"]["requestId"]
    assert request_id
    assert "room_log_entry" not in json.dumps(error)
    # and the server logged the failure with its traceback under that request id
    await asyncio.sleep(0.2)
    entries = [entry async for entry in logged(server, request_id) if entry.get("level") == "ERROR"]
    assert entries, server.log()[-3000:]
    assert "Traceback" in str(entries[0].get("exception", ""))
    assert "room_log_entry" in str(entries[0].get("exception", ""))

"""Room.messages costs a fixed number of SQL statements, whatever the page size."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tortoise import connections

from tests.realtime.conftest import Crew, Local, send
from tests.support.factories import Account
from tests.support.servers import AppServer

ROOM = """
query Room($challengeId: ID!, $last: Int) {
  room(challengeId: $challengeId) {
    messages(last: $last) { nodes { body sender { id nickname profileImageUrl } } }
  }
}
"""


@pytest.fixture
def statements() -> Iterator[list[str]]:
    """Every SQL statement this process sends, recorded (the real connection still runs them)."""
    client = connections.get("default")
    seen: list[str] = []
    originals = {name: getattr(client, name) for name in ("execute_query", "execute_query_dict")}

    def recording(name: str) -> Any:
        async def run(query: str, values: Any = None) -> Any:
            seen.append(query)
            return await originals[name](query, values)

        return run

    for name in originals:
        setattr(client, name, recording(name))
    yield seen
    for name, original in originals.items():
        setattr(client, name, original)


async def statements_for(local: Local, crew: Crew, account: Account, last: int, seen: list[str]) -> int:
    seen.clear()
    result = await local.schema.execute(
        ROOM, {"challengeId": crew.id, "last": last}, context_value=local.context(account)
    )
    assert not result.errors, result.errors
    assert len(result.data["room"]["messages"]["nodes"]) == last  # type: ignore[index]
    return len(seen)


async def test_history_costs_the_same_statements_for_2_or_12_messages(
    app: AppServer, local: Local, crew: Crew, statements: list[str]
) -> None:
    # given twelve messages from three different senders
    for n in range(12):
        await send(app, (crew.leader, crew.alice, crew.bob)[n % 3], crew.id, f"m{n}")

    # when a member reads a page of 2, then a page of 12
    small = await statements_for(local, crew, crew.alice, 2, statements)
    large = await statements_for(local, crew, crew.alice, 12, statements)

    # then both cost the same number of statements (senders come from one batched query)
    assert small == large
    assert 3 <= large <= 8

"""Every operation gets DataLoaders of its own, whatever the transport; the fields of one
operation share them."""

from __future__ import annotations

from tests.engine.fanout_app import CONNECTION_CONTEXTS, SEEN_LOADERS, FanoutContext, schema
from tests.support.ws import GraphQLWebSocket

LOADERS_SEEN = "query LoadersSeen { first: loadersSeen second: loadersSeen }"


async def test_execute_operation_gets_loaders_of_its_own_shared_by_its_fields() -> None:
    # given: a request's context
    context = FanoutContext()

    # when: two operations are executed with it (as one HTTP batch would)
    one = await schema.execute(LOADERS_SEEN, context_value=context)
    two = await schema.execute(LOADERS_SEEN, context_value=context)

    # then: each operation's fields saw one registry, not the request's nor the other's
    assert one.errors is None and two.errors is None
    assert one.data is not None and two.data is not None
    first, second = SEEN_LOADERS[one.data["first"]], SEEN_LOADERS[two.data["first"]]
    assert SEEN_LOADERS[one.data["second"]] is first
    assert SEEN_LOADERS[two.data["second"]] is second
    assert first is not second
    assert first is not context.loaders and second is not context.loaders


async def test_operations_on_one_socket_never_share_loaders(fanout_server: str) -> None:
    # given: one WebSocket connection
    contexts_before = len(CONNECTION_CONTEXTS)
    async with await GraphQLWebSocket.connect(fanout_server) as ws:
        # when: two queries run on it, one after the other
        one = await ws.next_data(await ws.subscribe(LOADERS_SEEN))
        two = await ws.next_data(await ws.subscribe(LOADERS_SEEN))

    # then: each operation had its own loaders, neither the connection's
    connection = CONNECTION_CONTEXTS[contexts_before:]
    assert len(connection) == 1
    first, second = SEEN_LOADERS[one["first"]], SEEN_LOADERS[two["first"]]
    assert SEEN_LOADERS[one["second"]] is first
    assert SEEN_LOADERS[two["second"]] is second
    assert first is not second
    assert first is not connection[0].loaders and second is not connection[0].loaders

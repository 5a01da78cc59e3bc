"""Operation limits: refused with QUERY_TOO_COMPLEX before anything executes."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
import strawberry

from infra.settings import Settings
from schema.limits.extension import OperationLimits
from schema.root import Schema
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket, ProtocolClosed

ME = "query Me { me { id nickname } }"
TOO_MANY_TOKENS = "query { " + "__typename " * 1200 + "}"

executed: list[str] = []


@strawberry.type
class Item:
    id: int

    @strawberry.field
    def items(self, first: int = 10) -> list[Item]:
        executed.append("items")
        return [Item(id=i) for i in range(first)]


@strawberry.type
class _Query:
    @strawberry.field
    def items(self, first: int = 10, last: int | None = None) -> list[Item]:
        executed.append("items")
        return [Item(id=i) for i in range(first)]


def _schema(**overrides: object) -> Schema:
    settings = Settings(**{"JWT_SECRET": "s" * 40, **overrides})  # type: ignore[arg-type]
    return Schema(query=_Query, extensions=[lambda: OperationLimits(settings=settings)])


def _nested(levels: int) -> str:
    return "{ " + "items(first: 1) { " * levels + "id" + " }" * levels + " }"


def _aliases(count: int, field: str = "me { id }") -> str:
    return "{ " + " ".join(f"a{i}: {field}" for i in range(count)) + " }"


async def test_depth_at_limit_executes() -> None:
    result = await _schema().execute(_nested(10))

    assert result.errors is None
    assert result.data is not None


async def test_depth_over_limit_is_query_too_complex_and_not_executed() -> None:
    executed.clear()

    result = await _schema().execute(_nested(11))

    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "QUERY_TOO_COMPLEX"}
    assert result.data is None
    assert executed == []


async def test_cost_multiplies_page_sizes() -> None:
    # 100 x 100 x 100 items: each level alone is fine, together over 50 000
    query = "{ items(first: 100) { items(first: 100) { items(first: 100) { id } } } }"
    executed.clear()

    result = await _schema().execute(query)

    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "QUERY_TOO_COMPLEX"}
    assert "costs" in result.errors[0].message
    assert executed == []


async def test_cost_reads_page_size_from_variables() -> None:
    query = "query($n: Int!) { items(first: $n) { items(first: $n) { items(first: $n) { id } } } }"

    small = await _schema().execute(query, variable_values={"n": 5})
    large = await _schema().execute(query, variable_values={"n": 100})

    assert small.errors is None
    assert large.errors is not None and large.errors[0].extensions == {"code": "QUERY_TOO_COMPLEX"}


async def test_cost_limit_is_configurable() -> None:
    result = await _schema(MAX_QUERY_COST=5).execute("{ items(first: 10) { id } }")

    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "QUERY_TOO_COMPLEX"}


async def test_page_size_outside_1_to_100_is_bad_user_input() -> None:
    cases = [
        ("{ items(first: 0) { id } }", "first"),
        ("{ items(first: 101) { id } }", "first"),
        ("{ items(last: -1) { id } }", "last"),
    ]
    for query, field in cases:
        executed.clear()

        result = await _schema().execute(query)

        assert result.errors is not None, query
        assert result.errors[0].extensions == {"code": "BAD_USER_INPUT", "field": field}
        assert executed == []


async def test_too_many_aliases_of_one_field_is_query_too_complex(client: GraphQLClient) -> None:
    allowed = await client.execute(_aliases(15))
    refused = await client.execute(_aliases(16))

    assert allowed.ok() == {f"a{i}": None for i in range(15)}
    assert refused.status == 200
    assert refused.code == "QUERY_TOO_COMPLEX"
    assert refused.data == {}


async def test_too_many_aliases_in_total_is_query_too_complex(client: GraphQLClient) -> None:
    # 52 aliases, at most 13 of any one field
    ids = " ".join(f"i{i}: id" for i in range(13))
    fields = 'm{i}: me {{ id }} t{i}: __typename u{i}: member(id: "1") {{ id }}'
    roots = " ".join(fields.format(i=i) for i in range(13))
    query = f"{{ {roots} me {{ {ids} }} }}"

    result = await client.execute(query)

    assert result.code == "QUERY_TOO_COMPLEX"
    assert "50 aliases" in result.error["message"]


async def test_too_many_tokens_is_query_too_complex(client: GraphQLClient) -> None:
    query = "{ " + "__typename " * 1200 + "}"

    result = await client.execute(query)

    assert result.status == 200
    assert result.code == "QUERY_TOO_COMPLEX"
    assert result.data == {}


async def test_introspection_query_stays_within_limits(client: GraphQLClient) -> None:
    from graphql import get_introspection_query

    result = await client.execute(get_introspection_query())

    assert result.ok()["__schema"]["queryType"]["name"] == "Query"


async def test_introspection_refused_when_disabled(start_app: Callable[..., AppServer]) -> None:
    node = start_app(INTROSPECTION="false")
    async with GraphQLClient(node.url) as client:
        result = await client.execute("{ __schema { queryType { name } } }")
        plain = await client.execute("{ __typename }")

    assert result.code == "BAD_USER_INPUT"
    assert "introspection" in result.error["message"].lower()
    assert plain.ok() == {"__typename": "Query"}


async def test_field_suggestions_off_when_disabled(
    client: GraphQLClient, start_app: Callable[..., AppServer]
) -> None:
    node = start_app(FIELD_SUGGESTIONS="false")
    async with GraphQLClient(node.url) as quiet:
        hidden = await quiet.execute("{ mee { id } }")
    shown = await client.execute("{ mee { id } }")

    assert hidden.code == shown.code == "BAD_USER_INPUT"
    assert "Did you mean" in shown.error["message"]
    assert "Did you mean" not in hidden.error["message"]


async def test_batch_within_limit_answers_each_operation(app: AppServer, new_account: Callable) -> None:
    account: Account = await new_account()
    batch = [{"query": ME}, {"query": "{ __typename }"}]

    async with httpx.AsyncClient(headers={"authorization": f"Bearer {account.token}"}) as http:
        response = await http.post(app.graphql_url, json=batch)

    assert response.status_code == 200
    body = response.json()
    assert body[0]["data"]["me"]["id"] == str(account.member.id)
    assert body[1]["data"] == {"__typename": "Query"}


def test_batch_over_limit_is_refused(app: AppServer, settings: Settings) -> None:
    batch = [{"query": "{ __typename }"}] * (settings.max_batch_size + 1)

    headers = {"content-type": "application/json"}
    response = httpx.post(app.graphql_url, content=json.dumps(batch), headers=headers)

    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert "Too many operations" in error["message"]
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX"}


async def test_limits_apply_to_websocket_operations(ticking_app: AppServer) -> None:
    deep = "subscription { nodes { " + "child { " * 10 + "depth" + " }" * 10 + " } }"
    async with await GraphQLWebSocket.connect(ticking_app.ws_url) as ws:
        op = await ws.subscribe(deep)
        message = await ws.receive(op)

    assert message["type"] == "error"
    assert message["payload"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_too_many_tokens_over_websocket_closes_4400_naming_the_limit(app: AppServer) -> None:
    # strawberry closes the socket on a document that does not parse; the reason is our message
    async with await GraphQLWebSocket.connect(app.ws_url) as ws:
        op = await ws.subscribe(TOO_MANY_TOKENS)
        with pytest.raises(ProtocolClosed) as closed:
            await ws.receive(op)

    assert closed.value.code == 4400
    assert closed.value.reason == "The operation has more than 1000 tokens."

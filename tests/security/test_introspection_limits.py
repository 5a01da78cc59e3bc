"""Attacks through introspection: it is neither free of the cost limit nor of the alias limit,
and production does not answer it unless told to."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
from graphql import get_introspection_query

from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

# 24 aliases in under 530 characters: 15 schemas, each listing every type 9 times over a fragment
# (a fragment's aliases were counted once, however often it was spread).
ALIASED_INTROSPECTION = (
    "{"
    + "".join(f"s{i}:__schema{{...S}}" for i in range(15))
    + "} fragment S on __Schema{"
    + "".join(f"t{i}:types{{...T}}" for i in range(9))
    + "} fragment T on __Type{fields{args{type{name}}type{ofType{name}}}"
    + "inputFields{type{name}}enumValues{name}}"
)
# What GraphiQL 3 asks, with every option graphql-js offers turned on.
GRAPHIQL_INTROSPECTION = get_introspection_query(
    descriptions=True,
    specified_by_url=True,
    directive_is_repeatable=True,
    schema_description=True,
    input_value_deprecation=True,
)
SCHEMA_NAME = "{ __schema { queryType { name } } }"


async def test_aliased_introspection_wall_is_refused_before_running(app: AppServer) -> None:
    # given: an anonymous client and the 24-alias introspection query
    assert len(ALIASED_INTROSPECTION) < 530

    # when: it is sent while someone checks the server's health
    async with httpx.AsyncClient(timeout=60) as http:
        started = time.perf_counter()
        response = await http.post(app.graphql_url, json={"query": ALIASED_INTROSPECTION})
        elapsed = time.perf_counter() - started
        health = await http.get(f"{app.url}/health")

    # then: refused as too complex, at once, and the server stays healthy
    body = response.json()
    assert response.status_code == 200
    assert body["errors"][0]["extensions"] == {"code": "QUERY_TOO_COMPLEX"}
    assert body.get("data") is None
    assert elapsed < 1
    assert health.status_code == 200


async def test_graphiql_introspection_query_runs_within_the_limits(client: GraphQLClient) -> None:
    # given: GraphiQL's introspection query with every option on
    # when
    result = await client.execute(GRAPHIQL_INTROSPECTION)

    # then: answered in full
    schema = result.ok()["__schema"]
    assert schema["queryType"]["name"] == "Query"
    assert len(schema["types"]) > 40


async def test_introspection_is_off_by_default_in_production(start_app: Callable[..., AppServer]) -> None:
    # given: an instance in production mode, and one that turns introspection back on
    closed = start_app(ENVIRONMENT="production")
    opened = start_app(ENVIRONMENT="production", INTROSPECTION="true")

    # when: both are asked for the schema
    async with GraphQLClient(closed.url) as client:
        refused = await client.execute(SCHEMA_NAME)
        plain = await client.execute("{ __typename }")
    async with GraphQLClient(opened.url) as client:
        allowed = await client.execute(SCHEMA_NAME)

    # then: production refuses it unless INTROSPECTION=true
    assert refused.code == "BAD_USER_INPUT"
    assert "introspection" in refused.error["message"].lower()
    assert plain.ok() == {"__typename": "Query"}
    assert allowed.ok() == {"__schema": {"queryType": {"name": "Query"}}}


async def test_field_suggestions_are_off_by_default_in_production(
    start_app: Callable[..., AppServer],
) -> None:
    # given: an instance in production mode
    node = start_app(ENVIRONMENT="production")

    # when: a field is misspelt
    async with GraphQLClient(node.url) as client:
        result = await client.execute("{ mee { id } }")

    # then: the error does not suggest the schema's field names
    assert result.code == "BAD_USER_INPUT"
    assert "Did you mean" not in result.error["message"]

"""Schema fuzzing: operations generated from the live, introspected schema (so the run grows
with the API) never give an INTERNAL_SERVER_ERROR or a 5xx: over HTTP, over WebSocket
subscriptions, and as multipart uploads."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

import httpx
import pytest
from graphql import (
    DocumentNode,
    GraphQLObjectType,
    GraphQLSchema,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
    VariableDefinitionNode,
    VariableNode,
    build_client_schema,
    get_introspection_query,
    print_ast,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, mutations, queries
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.support.factories import Account
from tests.support.servers import AppServer

SCALARS = {
    "Date": st.dates().map(lambda value: StringValueNode(value=value.isoformat())),
    "DateTime": st.datetimes().map(lambda value: StringValueNode(value=value.isoformat() + "Z")),
    # a file can only arrive in a multipart request: as a literal it must be refused cleanly
    "Upload": st.just(StringValueNode(value="not-a-file")),
}


def _live_schema(app: AppServer) -> GraphQLSchema:
    response = httpx.post(app.graphql_url, json={"query": get_introspection_query()}, timeout=30)
    return build_client_schema(response.json()["data"])


@pytest.fixture
async def fuzz_token(new_account: Callable) -> str:
    account: Account = await new_account()
    return account.token


def _check(http: httpx.Client, query: object) -> str:
    """The first error code of the response ("ok" without errors)."""
    response = http.post("/graphql", json={"query": query})
    assert response.status_code < 500, (query, response.text[:500])
    codes = []
    if response.status_code == 200:
        codes = [error.get("extensions", {}).get("code") for error in response.json().get("errors") or []]
        assert "INTERNAL_SERVER_ERROR" not in codes, (query, response.text[:500])
        assert None not in codes, (query, response.text[:500])
    return str(codes[0]) if codes else "ok" if response.status_code == 200 else str(response.status_code)


@pytest.mark.parametrize(("mode", "examples"), [(Mode.POSITIVE, 100), (Mode.NEGATIVE, 40)])
def test_generated_operations_never_fail_internally(
    app: AppServer, fuzz_token: str, mode: Mode, examples: int
) -> None:
    schema = _live_schema(app)
    strategy = from_schema(schema, custom_scalars=SCALARS, mode=mode)
    headers = {"authorization": f"Bearer {fuzz_token}"}
    with httpx.Client(base_url=app.url, headers=headers, timeout=30) as http:

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        @given(query=strategy)
        def run(query: object) -> None:
            _check(http, query)

        run()


# WebSocket subscriptions: hypothesis-graphql generates queries and mutations only, so the
# subscription root's fields are offered to it as a query root, and each generated document is
# printed back as a subscription.
WS_WAIT = 0.5
INTERNAL_CLOSE_CODES = {1011}


def _subscription_schema(schema: GraphQLSchema) -> GraphQLSchema:
    assert schema.subscription_type is not None
    root = GraphQLObjectType("Subscription", dict(schema.subscription_type.fields))
    others = [named for name, named in schema.type_map.items() if name != "Subscription" and name[:2] != "__"]
    return GraphQLSchema(query=root, types=others)


def _as_subscription(document: DocumentNode) -> str:
    (operation,) = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    subscription = replace(operation, operation=OperationType.SUBSCRIPTION)
    return print_ast(DocumentNode(definitions=(subscription,)))


def _codes(payload: object) -> list[object]:
    errors = payload if isinstance(payload, list) else (payload or {}).get("errors") or []  # type: ignore[union-attr]
    return [(error.get("extensions") or {}).get("code") for error in errors]


class Subscriber:
    """One graphql-transport-ws connection, reopened when the server closes it."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.connection: ClientConnection | None = None
        self.ids = 0

    def _open(self) -> ClientConnection:
        if self.connection is None:
            connection = connect(self.url, subprotocols=[Subprotocol("graphql-transport-ws")])
            init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {self.token}"}}
            connection.send(json.dumps(init))
            assert json.loads(connection.recv(timeout=10))["type"] == "connection_ack"
            self.connection = connection
        return self.connection

    def check(self, query: str) -> None:
        connection = self._open()
        self.ids += 1
        op = str(self.ids)
        connection.send(json.dumps({"id": op, "type": "subscribe", "payload": {"query": query}}))
        try:
            while True:
                message = json.loads(connection.recv(timeout=WS_WAIT))
                if message.get("type") == "ping":
                    connection.send(json.dumps({"type": "pong"}))
                    continue
                if message.get("id") != op:
                    continue
                if message["type"] in ("next", "error"):
                    codes = _codes(message.get("payload"))
                    assert "INTERNAL_SERVER_ERROR" not in codes and None not in codes, (query, message)
                if message["type"] != "next":
                    return
        except TimeoutError:
            connection.send(json.dumps({"id": op, "type": "complete"}))
        except ConnectionClosed as closed:
            self.connection = None
            code = closed.rcvd.code if closed.rcvd else None
            assert code not in INTERNAL_CLOSE_CODES, (query, closed)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


@pytest.mark.parametrize(("mode", "examples"), [(Mode.POSITIVE, 30), (Mode.NEGATIVE, 20)])
def test_generated_subscriptions_never_fail_internally(
    app: AppServer, fuzz_token: str, mode: Mode, examples: int
) -> None:
    schema = _subscription_schema(_live_schema(app))
    strategy = st.one_of(
        *(
            queries(schema, fields=[name], custom_scalars=SCALARS, mode=mode, print_ast=_as_subscription)
            for name in schema.query_type.fields  # type: ignore[union-attr]
        )
    )
    subscriber = Subscriber(app.ws_url, fuzz_token)
    try:

        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        @given(query=strategy)
        def run(query: str) -> None:
            subscriber.check(query)

        run()
    finally:
        subscriber.close()


# Multipart: generated upload mutations whose Upload arguments all take one file variable, and
# `map`s (the part that says which variable a file fills) made of arbitrary paths.
UPLOAD_MUTATIONS = ["createChallenge", "updateChallenge", "updateProfileImage", "createProof", "updateProof"]
PREFLIGHT = {"apollo-require-preflight": "true"}
PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
FILES = st.one_of(st.binary(max_size=64), st.binary(max_size=64).map(PNG_HEAD.__add__))
PATHS = st.lists(
    st.sampled_from(["variables", "file", "image", "b", "x", "0", "1", "-1", "query", ""]),
    min_size=1,
    max_size=5,
).map(".".join)
MAPS = st.one_of(
    st.dictionaries(st.sampled_from(["0", "1", "x"]), st.lists(PATHS, max_size=3), max_size=3),
    st.recursive(st.none() | st.integers() | st.text(max_size=5), lambda inner: st.lists(inner, max_size=3)),
)
VARIABLE_VALUES = st.one_of(st.none(), st.just({}), st.just([]), st.text(max_size=5), st.just({"x": None}))


def _with_file_variable(document: DocumentNode) -> str:
    (operation,) = document.definitions
    assert isinstance(operation, OperationDefinitionNode)
    upload = NonNullTypeNode(type=NamedTypeNode(name=NameNode(value="Upload")))
    variable = VariableDefinitionNode(variable=VariableNode(name=NameNode(value="file")), type=upload)
    return print_ast(DocumentNode(definitions=(replace(operation, variable_definitions=(variable,)),)))


def _check_multipart(http: httpx.Client, operations: object, file_map: object, content: bytes) -> None:
    response = http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps(file_map)},
        files={"0": ("upload.png", content, "image/png")},
        headers=PREFLIGHT,
    )
    assert response.status_code < 500, (operations, file_map, response.text[:500])
    codes = _codes(response.json())
    assert "INTERNAL_SERVER_ERROR" not in codes and None not in codes, (
        operations,
        file_map,
        response.text[:500],
    )


def test_generated_upload_mutations_never_fail_internally(app: AppServer, fuzz_token: str) -> None:
    schema = _live_schema(app)
    file_variable = {**SCALARS, "Upload": st.just(VariableNode(name=NameNode(value="file")))}
    strategy = mutations(
        schema, fields=UPLOAD_MUTATIONS, custom_scalars=file_variable, print_ast=_with_file_variable
    )
    headers = {"authorization": f"Bearer {fuzz_token}"}
    with httpx.Client(base_url=app.url, headers=headers, timeout=30) as http:

        @settings(
            max_examples=40,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        @given(query=strategy, content=FILES)
        def run(query: str, content: bytes) -> None:
            operations = {"query": query, "variables": {"file": None}}
            _check_multipart(http, operations, {"0": ["variables.file"]}, content)

        run()


def test_arbitrary_multipart_maps_never_fail_internally(app: AppServer, fuzz_token: str) -> None:
    query = "mutation U($b: Upload!) { updateProfileImage(image: $b) { id } }"
    headers = {"authorization": f"Bearer {fuzz_token}"}
    with httpx.Client(base_url=app.url, headers=headers, timeout=30) as http:

        @settings(
            max_examples=60,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        @given(file_map=MAPS, value=VARIABLE_VALUES, content=FILES)
        def run(file_map: object, value: object, content: bytes) -> None:
            _check_multipart(http, {"query": query, "variables": {"b": value}}, file_map, content)

        run()

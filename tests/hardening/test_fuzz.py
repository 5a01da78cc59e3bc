"""Schema fuzzing: operations generated from the live, introspected schema (so the run grows
with the API) never give an INTERNAL_SERVER_ERROR or a 5xx."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from graphql import GraphQLSchema, StringValueNode, build_client_schema, get_introspection_query
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema

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


def _check(http: httpx.Client, query: object) -> None:
    response = http.post("/graphql", json={"query": query})
    assert response.status_code < 500, (query, response.text[:500])
    if response.status_code == 200:
        codes = [error.get("extensions", {}).get("code") for error in response.json().get("errors") or []]
        assert "INTERNAL_SERVER_ERROR" not in codes, (query, response.text[:500])
        assert None not in codes, (query, response.text[:500])


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

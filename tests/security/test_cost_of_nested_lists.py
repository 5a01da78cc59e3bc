"""Attacks on the cost limit: lists that were counted as ten items, a page size that carried
past the page it sized, fragments spread to multiply the work, batches that split the bill."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, get_named_type

from infra.settings import Settings
from models.accounts import Member
from schema.root import build_schema
from tests.support.factories import Account
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

# The security review's query: 4.4 s and 73,728 leaves with 12 members, estimated at 44,481.
NESTED_LISTS = (
    "{challenges(first:20){nodes{memberships{member{challenges{challenge{memberships{member"
    "{challenges{challenge{id}}}}}}}}}}}"
)
# About 30,000 each (100 challenges x 100 seats x 3 fields): two of them are over the limit.
HEAVY = "query Heavy { challenges(first: 100) { nodes { memberships { member { id nickname } } } } }"
RENAME = 'mutation Rename { updateNickname(nickname: "renamed") { nickname } }'
PAGE_ARGUMENTS = {"first", "last"}


def _doubling_fragments(levels: int) -> str:
    """A small document whose fragments, expanded naively, name 2^levels fields."""
    chain = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    return f"{{ ...F0 }} {chain} fragment F{levels} on Query {{ __typename }}"


async def test_nested_lists_attack_is_refused_before_running(client: GraphQLClient) -> None:
    # given: an anonymous client
    # when: it sends the nested memberships/challenges query
    started = time.perf_counter()
    result = await client.execute(NESTED_LISTS)

    # then: refused as too complex, nothing executed
    assert result.status == 200
    assert result.code == "QUERY_TOO_COMPLEX"
    assert "costs" in result.error["message"]
    assert result.body.get("data") is None
    assert time.perf_counter() - started < 2


async def test_batch_over_the_limit_together_is_refused_before_any_operation_runs(
    app: AppServer, new_account: Callable
) -> None:
    # given: a member, and a batch of two operations under the cost limit each, over it together,
    # with a mutation
    account: Account = await new_account()
    batch = [{"query": HEAVY}, {"query": HEAVY}, {"query": RENAME}]

    # when: the batch is posted
    headers = {"authorization": f"Bearer {account.token}", "content-type": "application/json"}
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(app.graphql_url, content=json.dumps(batch), headers=headers)

    # then: the request is refused as too complex and the mutation did not run
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["extensions"] == {"code": "QUERY_TOO_COMPLEX"}
    assert "costs" in error["message"]
    assert (await Member.get(id=account.member.id)).nickname == account.member.nickname


async def test_fragments_spread_twice_per_level_are_counted_once_and_quickly(client: GraphQLClient) -> None:
    # given: 20 levels of fragments each spreading the next twice (a million fields if expanded
    # per spread; the executor collects a fragment once per selection, so it runs one field)
    query = _doubling_fragments(20)

    # when
    started = time.perf_counter()
    result = await client.execute(query)

    # then: answered at once, like the executor sees it
    assert result.ok() == {"__typename": "Query"}
    assert time.perf_counter() - started < 2


def test_every_list_field_has_a_page_argument_or_a_declared_bound() -> None:
    # given: the served schema
    from schema.limits.cost import declared_list_bound

    schema = build_schema(Settings())._schema

    # when: every list field of our own types is looked at
    unbounded = []
    for type_name, named in schema.type_map.items():
        if type_name.startswith("__") or not isinstance(named, GraphQLObjectType):
            continue
        for field_name, field in named.fields.items():
            field_type = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
            if not isinstance(field_type, GraphQLList):
                continue
            if PAGE_ARGUMENTS & set(field.args) or declared_list_bound(field) is not None:
                continue
            unbounded.append(f"{type_name}.{field_name}: [{get_named_type(field.type).name}]")

    # then: none is unbounded
    assert unbounded == []

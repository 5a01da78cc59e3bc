"""A page of challenges with leader, memberships { member } and viewerRole costs a fixed number
of SQL statements (DataLoaders), whatever the page size."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request

from infra.settings import Settings
from infra.viewer import Viewer
from schema.context import Context
from schema.root import build_schema
from tests.support.factories import Account, add_member, make_challenge
from tests.support.sql import SqlCounter
from web.services import build_runtime

CHALLENGES_PAGE = """
query Page($filter: ChallengeFilter, $first: Int) {
  challenges(filter: $filter, first: $first) {
    totalCount
    nodes {
      id title viewerRole thumbnailImageUrl
      leader { id nickname }
      memberships { role joinedAt member { id nickname } }
    }
  }
}
"""

NewAccount = Callable[..., Awaitable[Account]]


async def _run_page(
    settings: Settings, viewer: Account, word: str, first: int, counter: SqlCounter
) -> dict[str, Any]:
    schema = build_schema(settings)
    context = Context(
        services=(runtime := build_runtime(settings)).services,
        bus=runtime.bus,
        request=Request({"type": "http", "method": "POST", "headers": [], "path": "/graphql"}),
        viewer=Viewer(id=viewer.member.id, token_id="test", expires_at=dt.datetime.now(dt.UTC)),
    )
    counter.statements.clear()
    result = await schema.execute(
        CHALLENGES_PAGE, variable_values={"filter": {"query": word}, "first": first}, context_value=context
    )
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def test_challenges_page_query_count_does_not_grow_with_page_size(
    new_account: NewAccount, settings: Settings, sql_counter: SqlCounter
) -> None:
    # given: 12 challenges by different leaders, each with two more members; the viewer joined one
    word = "qc" + secrets.token_hex(5)
    viewer = await new_account()
    for index in range(12):
        challenge = await make_challenge(await new_account(), title=f"{word} {index}")
        await add_member(challenge, await new_account())
        await add_member(challenge, viewer if index == 0 else await new_account())

    # when
    small = await _run_page(settings, viewer, word, 2, sql_counter)
    small_count = len(sql_counter.statements)
    full = await _run_page(settings, viewer, word, 12, sql_counter)
    full_count = len(sql_counter.statements)

    # then
    assert len(full["challenges"]["nodes"]) == 12 and len(small["challenges"]["nodes"]) == 2
    assert full["challenges"]["totalCount"] == 12
    roles = [node["viewerRole"] for node in full["challenges"]["nodes"]]
    assert roles == [None] * 11 + ["CHALLENGER"]
    assert all(len(node["memberships"]) == 3 for node in full["challenges"]["nodes"])
    # page + count + leaders + memberships + their members + the viewer's roles
    assert full_count == small_count
    assert full_count <= 6, sql_counter.statements

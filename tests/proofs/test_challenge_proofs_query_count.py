"""Challenge.proofs costs a fixed number of SQL statements whatever the page size (no N+1).

Executed in-process against the real database so the ORM's statement log can be counted; the
HTTP behaviour of the same field is covered in test_challenge_proofs.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from starlette.requests import Request

from infra.settings import Settings
from infra.viewer import Viewer
from schema.context import Context
from schema.root import build_schema
from tests.proofs.conftest import World, post_proof
from tests.support.graphql import GraphQLClient
from web.services import build_runtime

CHALLENGE_PROOFS = """
query ChallengeProofs($via: ID!, $first: Int) {
  proof(id: $via) {
    challenge {
      proofs(first: $first) {
        totalCount
        nodes { id author { id nickname } challenge { id title leader { id } } }
      }
    }
  }
}
"""


class _Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


async def _statements_for(settings: Settings, world: World, via: str, first: int) -> tuple[int, int]:
    schema = build_schema(settings)
    context = Context(
        services=(runtime := build_runtime(settings)).services,
        bus=runtime.bus,
        request=Request({"type": "http", "method": "POST", "headers": [], "path": "/graphql"}),
        viewer=Viewer(id=world.leader.member.id, token_id="t", expires_at=dt.datetime.now(dt.UTC)),
    )
    logger = logging.getLogger("tortoise.db_client")
    handler, level = _Statements(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        result = await schema.execute(
            CHALLENGE_PROOFS, variable_values={"via": via, "first": first}, context_value=context
        )
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert result.errors is None, result.errors
    assert result.data is not None
    return handler.count, len(result.data["proof"]["challenge"]["proofs"]["nodes"])


async def test_challenge_proofs_statement_count_does_not_grow_with_the_page(
    world: World, client_for: Callable[..., GraphQLClient], settings: Settings
) -> None:
    # given ten proofs by three different authors
    leader_proof = await post_proof(client_for(world.leader), world.challenge_id)
    for account in (world.member, world.other) * 4 + (world.leader,):
        await post_proof(client_for(account), world.challenge_id)

    # when the leader lists a page of 2 and a page of 10 with nested authors and challenges
    small, small_size = await _statements_for(settings, world, leader_proof["id"], 2)
    large, large_size = await _statements_for(settings, world, leader_proof["id"], 10)

    # then both cost the same number of statements
    assert (small_size, large_size) == (2, 10)
    assert 0 < small == large

"""Progress costs a fixed number of SQL statements per page, not per member: a leaderboard of
100 members, and a list of 12 challenges with viewerProgress."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request

from infra.settings import Settings
from infra.viewer import Viewer
from models.challenges import Challenge, Membership, Role
from models.proofs import Proof, ProofStatus
from schema.context import Context
from schema.root import build_schema
from tests.challenges.inputs import service_today
from tests.support.factories import Account, at_noon, make_challenge
from tests.support.sql import SqlCounter
from web.services import build_runtime

LEADERBOARD_PAGE = """
query Board($id: ID!, $first: Int) {
  challenge(id: $id) {
    viewerProgress { rank rate }
    leaderboard(first: $first) { totalCount nodes { rank rate misses approved member { id nickname } } }
    memberships { member { id } progress { rank } }
  }
}
"""
CHALLENGES_PAGE = """
query Page($filter: ChallengeFilter, $first: Int) {
  challenges(filter: $filter, first: $first) {
    nodes { id status schedule { period times } viewerProgress { rank rate doneThisPeriod } }
  }
}
"""

NewAccount = Callable[..., Awaitable[Account]]


async def _run(
    settings: Settings, viewer: Account, query: str, variables: dict[str, Any], counter: SqlCounter
) -> tuple[dict[str, Any], int]:
    runtime = build_runtime(settings)
    context = Context(
        services=runtime.services,
        bus=runtime.bus,
        request=Request({"type": "http", "method": "POST", "headers": [], "path": "/graphql"}),
        viewer=Viewer(id=viewer.member.id, token_id="test", expires_at=dt.datetime.now(dt.UTC)),
    )
    counter.statements.clear()
    result = await build_schema(settings).execute(query, variable_values=variables, context_value=context)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data, len(counter.statements)


async def _crowd(challenge: Challenge, members: list[Account], start: dt.date, days: int) -> None:
    """Everyone joined on the first day; member i proved the days where (day + i) % 3 != 0."""
    await Membership.bulk_create(
        [
            Membership(
                member=account.member, challenge=challenge, role=Role.CHALLENGER, joined_at=at_noon(start)
            )
            for account in members
        ]
    )
    proofs = []
    for index, account in enumerate(members):
        for offset in range(days):
            if (offset + index) % 3:
                moment = at_noon(start + dt.timedelta(days=offset))
                proofs.append(
                    Proof(
                        challenge=challenge,
                        author=account.member,
                        content="p",
                        status=ProofStatus.APPROVED,
                        created_at=moment,
                        updated_at=moment,
                    )
                )
    await Proof.bulk_create(proofs)


async def test_leaderboard_of_100_members_costs_the_same_as_one_of_5(
    new_account: NewAccount, settings: Settings, sql_counter: SqlCounter
) -> None:
    # given a daily challenge six days in with its leader and 99 members, with varied proofs
    start = service_today() - dt.timedelta(days=6)
    leader = await new_account()
    challenge = await make_challenge(leader, start_date=start, joined_at=at_noon(start), limit_attendance=100)
    members = [await new_account() for _ in range(99)]
    await _crowd(challenge, members, start, days=6)
    variables = {"id": str(challenge.id)}

    # when
    small, small_count = await _run(
        settings, members[0], LEADERBOARD_PAGE, {**variables, "first": 5}, sql_counter
    )
    full, full_count = await _run(
        settings, members[0], LEADERBOARD_PAGE, {**variables, "first": 100}, sql_counter
    )

    # then
    board = full["challenge"]["leaderboard"]
    assert board["totalCount"] == 100 and len(board["nodes"]) == 100
    assert [node["rank"] for node in board["nodes"]] == list(range(1, 101))
    assert board["nodes"][-1]["member"]["id"] == str(leader.member.id)  # never posted
    assert len(small["challenge"]["leaderboard"]["nodes"]) == 5
    assert all(row["progress"] is not None for row in full["challenge"]["memberships"])
    # challenge + memberships with members + standings (memberships, proofs) + leaderboard members
    assert full_count == small_count
    assert full_count <= 5, sql_counter.statements


async def test_challenges_page_with_viewer_progress_costs_the_same_for_2_and_12(
    new_account: NewAccount, settings: Settings, sql_counter: SqlCounter
) -> None:
    # given 12 running challenges the viewer joined, each with a few members and proofs
    word = "pq" + secrets.token_hex(5)
    start = service_today() - dt.timedelta(days=4)
    viewer = await new_account()
    for index in range(12):
        challenge = await make_challenge(
            await new_account(), title=f"{word} {index}", start_date=start, joined_at=at_noon(start)
        )
        await _crowd(challenge, [viewer, await new_account(), await new_account()], start, days=4)
    filter_ = {"query": word}

    # when
    small, small_count = await _run(
        settings, viewer, CHALLENGES_PAGE, {"filter": filter_, "first": 2}, sql_counter
    )
    full, full_count = await _run(
        settings, viewer, CHALLENGES_PAGE, {"filter": filter_, "first": 12}, sql_counter
    )

    # then
    nodes = full["challenges"]["nodes"]
    assert len(nodes) == 12 and len(small["challenges"]["nodes"]) == 2
    assert all(node["status"] == "ONGOING" and node["viewerProgress"] is not None for node in nodes)
    assert {node["viewerProgress"]["rank"] for node in nodes} <= {1, 2, 3, 4}
    # page + standings (memberships, proofs)
    assert full_count == small_count
    assert full_count <= 3, sql_counter.statements

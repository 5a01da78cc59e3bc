"""`python main.py seed`: challenges at every status, with weeks of proofs behind the numbers."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable

from resolvers.seed import MEMBERS, PASSWORD
from tests.progress.travel import Travel
from tests.support.graphql import GraphQLClient
from tests.support.servers import PROJECT, AppServer

LOG_IN = "mutation LogIn($e: String!, $p: String!) { logIn(email: $e, password: $p) { accessToken } }"
WORLD = """
query World {
  challenges(first: 20) { nodes { status } }
  me { challenges { challenge { leaderboard(first: 10) { nodes { rate misses waiting } } } } }
  notifications(first: 100) { nodes { type content } }
}
"""


async def test_seed_shows_progress_at_every_status(
    travel: Travel, app_env: dict[str, str], start_app: Callable[..., AppServer]
) -> None:
    # given a fresh database seeded
    run = await asyncio.create_subprocess_exec(
        sys.executable,
        "main.py",
        "seed",
        cwd=PROJECT,
        env={**os.environ, **app_env, **travel.env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(run.communicate(), timeout=180)
    assert run.returncode == 0, stderr.decode()[-2000:]

    # when the second demo member looks around
    node = travel.node(0)
    async with GraphQLClient(node.url) as anonymous:
        login = (await anonymous.execute(LOG_IN, {"e": MEMBERS[1].email, "p": PASSWORD})).ok()["logIn"]
    async with GraphQLClient(node.url, token=login["accessToken"]) as member:
        world = (await member.execute(WORLD)).ok()

    # then every status is there; their boards show real numbers; FINISHED notices went out
    assert {node["status"] for node in world["challenges"]["nodes"]} == {"UPCOMING", "ONGOING", "FINISHED"}
    boards = [
        entry for row in world["me"]["challenges"] for entry in row["challenge"]["leaderboard"]["nodes"]
    ]
    assert any(entry["misses"] > 0 for entry in boards)
    assert any(0 < entry["rate"] < 1 for entry in boards)
    assert any(entry["waiting"] > 0 for entry in boards)
    types = {notification["type"] for notification in world["notifications"]["nodes"]}
    assert {"REGISTER", "APPROVE", "FINISHED"} <= types

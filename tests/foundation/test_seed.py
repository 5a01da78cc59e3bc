"""`python main.py seed`: idempotent demo data that the API serves and logs in with."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from resolvers.seed import MEMBERS, PASSWORD
from tests.conftest import USES_POSTGRES
from tests.support.graphql import GraphQLClient
from tests.support.servers import PROJECT, AppServer, PostgresServer

LOG_IN = """
mutation LogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { accessToken member { id nickname } }
}
"""

WORLD = """
query World {
  me { challenges { role challenge { room { messages(last: 10) { nodes { body } } } } } }
  challenges(first: 20) { totalCount nodes { category currentAttendance } }
  notifications { totalCount unreadCount }
}
"""


@pytest.fixture
def seed_database(tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if USES_POSTGRES:
        server: PostgresServer = request.getfixturevalue("postgres")
        return server.create_database(f"seed_{secrets.token_hex(4)}")
    return f"sqlite://{tmp_path / 'seed.sqlite3'}"


def _seed(env: dict[str, str]) -> str:
    for command in (["migrate"], ["seed"]):
        run = subprocess.run(
            [sys.executable, "main.py", *command],
            cwd=PROJECT,
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


async def test_seed_is_idempotent_and_logs_in(
    seed_database: str, tmp_path: Path, app_env: dict[str, str], start_app: Callable[..., AppServer]
) -> None:
    # given a fresh database seeded twice
    env = {**app_env, "DATABASE_URL": seed_database, "MEDIA_DIR": str(tmp_path / "media")}
    first, second = _seed(env), _seed(env)

    # then the second run adds nothing and both print the demo logins
    assert "Demo data created." in first and "Demo data is already there." in second
    for demo in MEMBERS:
        assert demo.email in first and demo.email in second

    # and the demo leader can log in and see a world with every category, chat and notifications
    node = start_app(DATABASE_URL=seed_database, MEDIA_DIR=str(tmp_path / "media"))
    async with GraphQLClient(node.url) as anonymous:
        login = (await anonymous.execute(LOG_IN, {"email": MEMBERS[0].email, "password": PASSWORD})).ok()
    async with GraphQLClient(node.url, token=login["logIn"]["accessToken"]) as leader:
        world = (await leader.execute(WORLD)).ok()

    challenges = world["challenges"]
    assert challenges["totalCount"] == 7
    assert {node["category"] for node in challenges["nodes"]} == {
        "IT",
        "FOREIGN_LANGUAGE",
        "MATH",
        "SCIENCE",
        "HUMANITIES",
        "ARTS_AND_PHYSICAL_EDUCATION",
        "ETC",
    }
    mine = world["me"]["challenges"]
    bodies = [m["body"] for c in mine for m in c["challenge"]["room"]["messages"]["nodes"]]
    assert len(bodies) == 4
    assert any(m["role"] == "LEADER" for m in mine)
    assert world["notifications"]["unreadCount"] == world["notifications"]["totalCount"] >= 3

"""Progress fixtures: a challenge three days in on the shared database, and time travel on a
database of the test's own."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from models.challenges import Challenge
from tests.challenges.inputs import service_today
from tests.conftest import USES_POSTGRES
from tests.progress.travel import Travel
from tests.support.factories import Account, add_member, add_proof, at_noon, make_challenge
from tests.support.servers import AppServer, PostgresServer, SmtpSink, redis_server, run_migrations


@dataclass
class Race:
    challenge: Challenge
    leader: Account
    keeper: Account  # proved every past day
    misser: Account  # proved the first day only
    start: dt.date

    @property
    def id(self) -> str:
        return str(self.challenge.id)


@pytest.fixture
async def race(new_account: Callable[..., Awaitable[Account]]) -> Race:
    """A daily challenge that started three days ago; everyone joined on its first day."""
    start = service_today() - dt.timedelta(days=3)
    leader, keeper, misser = await new_account(), await new_account(), await new_account()
    challenge = await make_challenge(leader, start_date=start, joined_at=at_noon(start))
    await add_member(challenge, keeper, joined_at=at_noon(start))
    await add_member(challenge, misser, joined_at=at_noon(start) + dt.timedelta(minutes=1))
    for offset in range(3):
        await add_proof(challenge, keeper, on=start + dt.timedelta(days=offset))
    await add_proof(challenge, misser, on=start)
    return Race(challenge=challenge, leader=leader, keeper=keeper, misser=misser, start=start)


@pytest.fixture
def travel(
    tmp_path: Path,
    app_env: dict[str, str],
    smtp: SmtpSink,
    start_app: Callable[..., AppServer],
    request: pytest.FixtureRequest,
) -> Iterator[Travel]:
    """Servers on a database of the test's own and, on PostgreSQL, a Redis of their own: ids
    start again at 1 in a new database, so the shared Redis's keys (a revoked session's, a
    room's channel) would name other tests' rows."""
    with ExitStack() as stack:
        if USES_POSTGRES:
            server: PostgresServer = request.getfixturevalue("postgres")
            env = {
                "DATABASE_URL": server.create_database(f"travel_{secrets.token_hex(4)}"),
                "REDIS_URL": stack.enter_context(redis_server()).url,
            }
        else:
            env = {"DATABASE_URL": f"sqlite://{tmp_path / 'travel.sqlite3'}"}
        env["MEDIA_DIR"] = str(tmp_path / "media")
        run_migrations({**app_env, **env})
        yield Travel(start_app=start_app, smtp=smtp, base=app_env, env=env)

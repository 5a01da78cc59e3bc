"""A challenge three days in: a member who keeps up, one who misses, and a leader who never posts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest

from models.challenges import Challenge
from tests.challenges.inputs import service_today
from tests.support.factories import Account, add_member, add_proof, at_noon, make_challenge


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

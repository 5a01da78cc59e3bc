"""Rows made straight through the ORM, for tests that need a world to act in.

Tests of a feature go through the API; these only build the preconditions (a member with a
token, a challenge with its room and members) quickly and without rate limits.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
from dataclasses import dataclass

from infra.clock import Clock
from infra.settings import Settings
from infra.tokens import issue_access_token
from models.accounts import Member, TokenFamily
from models.challenges import Category, Challenge, Membership, Role, SchedulePeriod
from models.chat import Room
from models.proofs import Proof, ProofStatus

_counter = itertools.count(1)


def unique_nickname(prefix: str = "m") -> str:
    return f"{prefix}{next(_counter):x}{secrets.token_hex(3)}"[:10]


def unique_email(prefix: str = "user") -> str:
    return f"{prefix}.{next(_counter)}.{secrets.token_hex(4)}@example.com"


@dataclass
class Account:
    member: Member
    token: str

    @property
    def id(self) -> str:
        return str(self.member.id)


async def make_account(
    settings: Settings, *, nickname: str | None = None, email: str | None = None, session: bool = False
) -> Account:
    """A member and an access token; ``session=True`` ties the token to a login session (a
    token family), as every token the API issues is, and as production requires."""
    nickname = nickname or unique_nickname()
    member = await Member.create(
        email=(email or unique_email()).lower(),
        nickname=nickname,
        nickname_key=nickname.casefold(),
    )
    family_id = (await TokenFamily.create(member=member)).id if session else None
    return Account(member=member, token=issue_access_token(member.id, settings, family_id=family_id).token)


def _joined(joined_at: dt.datetime | None) -> dict[str, dt.datetime]:
    return {} if joined_at is None else {"joined_at": joined_at}


async def make_challenge(
    leader: Account,
    *,
    title: str = "Daily algorithms",
    category: Category = Category.IT,
    limit_attendance: int = 10,
    start_date: dt.date | None = None,
    due_date: dt.date | None = None,
    period: SchedulePeriod = SchedulePeriod.DAY,
    times: int = 1,
    joined_at: dt.datetime | None = None,
) -> Challenge:
    today = Clock().today()  # the server's calendar day (TIMEZONE's default in the tests)
    challenge = await Challenge.create(
        title=title,
        category=category,
        description="Solve one problem a day.",
        start_date=start_date or today,
        due_date=due_date or today + dt.timedelta(days=30),
        frequency="DAILY" if period is SchedulePeriod.DAY else f"{times} times a week",
        schedule_period=period,
        schedule_times=times,
        auth_explanation="Screenshot of solution",
        limit_attendance=limit_attendance,
        current_attendance=1,
        leader=leader.member,
    )
    await Membership.create(member=leader.member, challenge=challenge, role=Role.LEADER, **_joined(joined_at))
    await Room.create(challenge=challenge)
    return challenge


async def add_member(
    challenge: Challenge, account: Account, *, joined_at: dt.datetime | None = None
) -> Membership:
    membership = await Membership.create(
        member=account.member, challenge=challenge, role=Role.CHALLENGER, **_joined(joined_at)
    )
    challenge.current_attendance += 1
    await challenge.save(update_fields=["current_attendance"])
    return membership


def at_noon(day: dt.date) -> dt.datetime:
    """Noon of ``day`` on the server's calendar (Asia/Seoul, UTC+9), as a UTC timestamp."""
    return dt.datetime.combine(day, dt.time(3), dt.UTC)


async def add_proof(
    challenge: Challenge,
    author: Account,
    *,
    on: dt.date,
    status: ProofStatus = ProofStatus.APPROVED,
) -> Proof:
    """A proof created at noon of ``on`` (backdated history for progress)."""
    moment = at_noon(on)
    return await Proof.create(
        challenge=challenge,
        author=author.member,
        content="proof",
        status=status,
        created_at=moment,
        updated_at=moment,
    )

"""Rows a benchmark needs, written straight through the ORM, and access tokens for them.

Seeding through the API would measure sign-up and rate limits instead of the thing under test.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from tortoise import Tortoise
from tortoise.transactions import in_transaction

from infra.db import tortoise_config
from infra.settings import Settings
from infra.tokens import issue_access_token
from models.accounts import Member, TokenFamily
from models.challenges import Category, Challenge, Membership, Role
from models.chat import Room


@dataclass(frozen=True)
class Seat:
    """A member and the bearer token the server accepts for it."""

    member_id: int
    nickname: str
    token: str


@dataclass(frozen=True)
class ChatRoom:
    challenge_id: int
    room_id: int
    leader: Seat
    members: list[Seat]


class World:
    def __init__(self, env: dict[str, str]) -> None:
        self.settings = Settings(**env)  # type: ignore[arg-type]

    async def __aenter__(self) -> World:
        await Tortoise.init(config=tortoise_config(self.settings), _enable_global_fallback=True)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await Tortoise.close_connections()

    async def members(self, count: int) -> list[Seat]:
        seats = []
        async with in_transaction():
            for _ in range(count):
                tag = secrets.token_hex(4)
                member = await Member.create(
                    email=f"bench.{tag}@example.com", nickname=f"b{tag}", nickname_key=f"b{tag}"
                )
                # A token of a login session, as the API issues them (production refuses others).
                session = await TokenFamily.create(member=member)
                token = issue_access_token(member.id, self.settings, family_id=session.id).token
                seats.append(Seat(member_id=member.id, nickname=member.nickname, token=token))
        return seats

    async def challenge(
        self, leader: Seat, members: list[Seat], *, title: str = "Bench room", limit: int | None = None
    ) -> ChatRoom:
        today = dt.date.today()
        async with in_transaction():
            challenge = await Challenge.create(
                title=title,
                category=Category.IT,
                description="A challenge made by the benchmarks.",
                start_date=today,
                due_date=today + dt.timedelta(days=30),
                frequency="DAILY",
                auth_explanation="Screenshot",
                limit_attendance=limit or len(members) + 1,
                current_attendance=len(members) + 1,
                leader_id=leader.member_id,
            )
            await Membership.create(member_id=leader.member_id, challenge=challenge, role=Role.LEADER)
            await Membership.bulk_create(
                [
                    Membership(member_id=s.member_id, challenge=challenge, role=Role.CHALLENGER)
                    for s in members
                ]
            )
            room = await Room.create(challenge=challenge)
        return ChatRoom(challenge_id=challenge.id, room_id=room.id, leader=leader, members=members)

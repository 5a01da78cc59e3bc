"""Read side of the accounts domain."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from infra.services import Services
from models.accounts import Member
from resolvers.accounts.limits import limit_availability
from resolvers.accounts.rules import email_problem, nickname_key, nickname_problem, normalize_email


@dataclass(frozen=True, slots=True)
class Availability:
    available: bool
    reason: str | None = None


TAKEN = Availability(available=False, reason="taken")


async def get_member(*, member_id: int) -> Member | None:
    return await Member.get_or_none(id=member_id)


async def email_availability(*, email: str, client_ip: str, services: Services) -> Availability:
    await limit_availability(services, client_ip)
    email = normalize_email(email)
    problem = email_problem(email)
    if problem:
        return Availability(available=False, reason=problem)
    if await Member.filter(email=email).exists():
        return TAKEN
    return Availability(available=True)


async def nickname_availability(*, nickname: str, client_ip: str, services: Services) -> Availability:
    await limit_availability(services, client_ip)
    nickname = unicodedata.normalize("NFKC", nickname.strip())
    problem = nickname_problem(nickname)
    if problem:
        return Availability(available=False, reason=problem)
    if await Member.filter(nickname_key=nickname_key(nickname)).exists():
        return TAKEN
    return Availability(available=True)

"""logInWithKakao: find the member by Kakao id, link by verified email, or create one."""

from __future__ import annotations

import datetime as dt
import secrets

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from infra.errors import Unauthenticated
from infra.kakao import KakaoError, KakaoProfile, fetch_profile
from infra.services import Services
from models.accounts import Member
from resolvers.accounts.limits import limit_anonymous
from resolvers.accounts.rules import NICKNAME_MAX, NICKNAME_MIN, nickname_key, nickname_problem
from resolvers.accounts.sessions import SignedIn, start_session

ATTEMPTS = 3  # a lost race for a nickname or a Kakao id is retried this many times


async def log_in_with_kakao(
    *, code: str, redirect_uri: str | None, client_ip: str, services: Services
) -> SignedIn:
    await limit_anonymous(services, client_ip)
    if not code.strip():
        raise Unauthenticated("Kakao login failed: no authorization code.")
    try:
        profile = await fetch_profile(services.settings, code=code, redirect_uri=redirect_uri)
    except KakaoError as error:
        raise Unauthenticated(str(error)) from None
    for _ in range(ATTEMPTS):
        try:
            async with in_transaction() as connection:
                member = await _find_or_create(connection, profile, now=services.clock.now())
                return await start_session(connection=connection, member=member, settings=services.settings)
        except IntegrityError:
            continue  # a concurrent login created the member or took the nickname: look again
    raise Unauthenticated("Kakao login failed. Try again.")


async def _find_or_create(
    connection: BaseDBAsyncClient, profile: KakaoProfile, *, now: dt.datetime
) -> Member:
    member = await Member.filter(kakao_id=profile.kakao_id).using_db(connection).first()
    if member is not None:
        return member
    if profile.email is not None:
        # Kakao vouches for this address, and our members verified theirs: same person.
        member = await Member.filter(email=profile.email, kakao_id=None).using_db(connection).first()
        if member is not None:
            member.kakao_id = profile.kakao_id
            await member.save(using_db=connection, update_fields=["kakao_id", "updated_at"])
            return member
    email_free = (
        profile.email is not None
        and not await Member.filter(email=profile.email).using_db(connection).exists()
    )
    nickname = await _free_nickname(connection, profile.nickname)
    return await Member.create(
        using_db=connection,
        email=profile.email if email_free else None,
        nickname=nickname,
        nickname_key=nickname_key(nickname),
        kakao_id=profile.kakao_id,
        created_at=now,
    )


async def _free_nickname(connection: BaseDBAsyncClient, wanted: str | None) -> str:
    base = "".join((wanted or "").split())[:NICKNAME_MAX]
    if nickname_problem(base) is not None:
        base = "kakao"
    candidate = base
    while await Member.filter(nickname_key=nickname_key(candidate)).using_db(connection).exists():
        suffix = str(secrets.randbelow(10**4))
        candidate = base[: NICKNAME_MAX - len(suffix)] + suffix
        if len(candidate) < NICKNAME_MIN:
            candidate = candidate.ljust(NICKNAME_MIN, "0")
    return candidate

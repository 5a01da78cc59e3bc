"""signUp: a verified email, a valid password and a unique nickname make a logged-in member."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from infra.errors import Conflict
from infra.passwords import get_passwords
from infra.services import Services
from models.accounts import Member
from resolvers.accounts.limits import limit_anonymous
from resolvers.accounts.rules import nickname_key, valid_email, valid_nickname, valid_password
from resolvers.accounts.sessions import SignedIn, start_session
from resolvers.accounts.verification import check_code, consume_code

EMAIL_TAKEN = "This email is already registered."
NICKNAME_TAKEN = "This nickname is taken."


async def ensure_nickname_free(key: str, *, except_member: int | None = None) -> None:
    taken = Member.filter(nickname_key=key)
    if except_member is not None:
        taken = taken.exclude(id=except_member)
    if await taken.exists():
        raise Conflict(NICKNAME_TAKEN, field="nickname")


async def sign_up(
    *, email: str, password: str, nickname: str, verification_code: str, client_ip: str, services: Services
) -> SignedIn:
    settings = services.settings
    await limit_anonymous(services, client_ip)
    email = valid_email(email)
    valid_password(password)
    nickname = valid_nickname(nickname)
    key = nickname_key(nickname)
    if await Member.filter(email=email).exists():
        raise Conflict(EMAIL_TAKEN, field="email")
    await ensure_nickname_free(key)
    verification = await check_code(email=email, code=verification_code, settings=settings)
    password_hash = await get_passwords(settings).hash(password)
    try:
        async with in_transaction() as connection:
            await consume_code(connection=connection, verification=verification)
            member = await Member.create(
                using_db=connection,
                email=email,
                nickname=nickname,
                nickname_key=key,
                password_hash=password_hash,
                created_at=services.clock.now(),
            )
            return await start_session(connection=connection, member=member, settings=settings)
    except IntegrityError:
        # Lost a race for the email or the nickname; say which (the code was not consumed).
        if await Member.filter(email=email).exists():
            raise Conflict(EMAIL_TAKEN, field="email") from None
        raise Conflict(NICKNAME_TAKEN, field="nickname") from None

"""logIn by email and password, with brute-force protection per email."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from infra.errors import Unauthenticated
from infra.passwords import get_passwords
from infra.services import Services
from models.accounts import Member
from resolvers.accounts.limits import limit_anonymous, login_failures_key
from resolvers.accounts.rules import normalize_email
from resolvers.accounts.sessions import SignedIn, start_session

# One message for an unknown email and a wrong password: no account enumeration.
BAD_CREDENTIALS = "The email or password is incorrect."
SOCIAL_ONLY = "This account logs in with Kakao. Use Kakao login."


async def log_in(*, email: str, password: str, client_ip: str, services: Services) -> SignedIn:
    settings = services.settings
    limiter = services.limiter
    await limit_anonymous(services, client_ip)
    email = normalize_email(email)
    failures = login_failures_key(email)
    member = await Member.get_or_none(email=email)
    if member is not None and member.password_hash is None:
        raise Unauthenticated(SOCIAL_ONLY)
    # Counted as a failure BEFORE the password is verified (and forgiven on success): however
    # many guesses run at once, at most the limit of them is ever judged, and once over it even
    # the right password is refused until the window passes. Counted in Redis when configured.
    await limiter.hit(failures, settings.limit_login_failures)
    result = await get_passwords(settings).verify(member.password_hash if member else None, password)
    if member is None or not result.valid:
        raise Unauthenticated(BAD_CREDENTIALS)

    await limiter.reset(failures)
    async with in_transaction() as connection:
        if result.new_hash is not None:
            await Member.filter(id=member.id).using_db(connection).update(password_hash=result.new_hash)
        return await start_session(connection=connection, member=member, settings=settings)

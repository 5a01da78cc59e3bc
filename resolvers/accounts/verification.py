"""Email verification codes: mailed on request, required by signUp.

The code is 6 digits from ``secrets``, stored only as an HMAC, valid ``EMAIL_CODE_TTL`` seconds
for ``EMAIL_CODE_MAX_ATTEMPTS`` guesses; a new request replaces the previous code.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from infra.errors import BadInput, Conflict, DomainError
from infra.mail import MailError
from infra.services import Services
from infra.settings import Settings
from models.accounts import EmailVerification, Member
from resolvers.accounts.limits import limit_anonymous
from resolvers.accounts.rules import valid_email

CODE_FIELD = "verificationCode"
WRONG_CODE = "The verification code is wrong or has expired. Request a new one."


class MailUnavailable(DomainError):
    default_message = "We could not send the verification email right now. Try again in a moment."


def _code_hash(settings: Settings, email: str, code: str) -> str:
    return hmac.new(settings.secret.encode(), f"{email}\n{code}".encode(), hashlib.sha256).hexdigest()


async def request_email_verification(*, email: str, client_ip: str, services: Services) -> bool:
    settings = services.settings
    await limit_anonymous(services, client_ip)
    email = valid_email(email)
    if await Member.filter(email=email).exists():
        raise Conflict("This email is already registered. Log in instead.", field="email")
    email_key = f"email-code:{email}"
    await services.limiter.hit(email_key, settings.limit_email_code)

    code = f"{secrets.randbelow(10**6):06d}"
    minutes = max(1, settings.email_code_ttl // 60)
    try:
        await services.mailer.send(verification_message(email, code, minutes))
    except MailError:
        await services.limiter.reset(email_key)  # nothing was sent: let them retry at once
        raise MailUnavailable() from None

    # Stored after the mail went out, so a failed send leaves the previous code (if any) intact.
    expires_at = datetime.now(UTC) + timedelta(seconds=settings.email_code_ttl)
    try:
        async with in_transaction() as connection:
            await EmailVerification.filter(email=email).using_db(connection).delete()
            await EmailVerification.create(
                using_db=connection,
                email=email,
                code_hash=_code_hash(settings, email, code),
                expires_at=expires_at,
            )
    except IntegrityError:
        # A concurrent request for the same address won; its code is the current one.
        raise Conflict("A code was just sent to this address. Use the latest one.", field="email") from None
    return True


async def check_code(*, email: str, code: str, settings: Settings) -> EmailVerification:
    """The pending verification ``code`` proves for ``email``; counts a guess first."""
    now = datetime.now(UTC)
    row = await EmailVerification.get_or_none(email=email)
    if row is None or row.expires_at <= now:
        raise BadInput(WRONG_CODE, field=CODE_FIELD)
    # Count the guess before judging it (conditional UPDATE), so concurrent guesses can never
    # get more than the allowed number evaluated.
    counted = await EmailVerification.filter(id=row.id, attempts__lt=settings.email_code_max_attempts).update(
        attempts=F("attempts") + 1
    )
    if not counted:
        raise BadInput("Too many wrong codes. Request a new one.", field=CODE_FIELD)
    if not hmac.compare_digest(row.code_hash, _code_hash(settings, email, code.strip())):
        raise BadInput(WRONG_CODE, field=CODE_FIELD)
    return row


async def consume_code(*, connection: BaseDBAsyncClient, verification: EmailVerification) -> None:
    """Delete the code inside the sign-up transaction; a concurrent sign-up may have used it."""
    if not await EmailVerification.filter(id=verification.id).using_db(connection).delete():
        raise BadInput(WRONG_CODE, field=CODE_FIELD)


def verification_message(to: str, code: str, minutes: int) -> EmailMessage:
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = f"[이룸] 인증 코드 {code} / E-room verification code"
    message.set_content(
        f"이룸 가입 인증 코드: {code}\n"
        f"{minutes}분 안에 입력해 주세요. 요청하지 않았다면 이 메일을 무시하세요.\n\n"
        f"Your E-room verification code: {code}\n"
        f"Enter it within {minutes} minutes. If you did not ask for it, ignore this email.\n"
    )
    message.add_alternative(
        f"""<!doctype html>
<html><body style="font-family: sans-serif">
<p lang="ko">이룸 가입 인증 코드입니다. {minutes}분 안에 입력해 주세요.</p>
<p style="font-size: 28px; letter-spacing: 6px"><strong>{code}</strong></p>
<p lang="en">Your E-room verification code. Enter it within {minutes} minutes.</p>
<p style="color: #777">요청하지 않았다면 이 메일을 무시하세요.<br>
If you did not ask for it, ignore this email.</p>
</body></html>
""",
        subtype="html",
    )
    return message

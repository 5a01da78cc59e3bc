"""requestEmailVerification: a hashed 6-digit code, mailed in Korean and English, rate limited."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from models.accounts import EmailVerification
from tests.accounts.conftest import REQUEST_CODE, code_in, from_fresh_ip
from tests.support.factories import Account, unique_email
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer, SmtpSink, free_port

REQUEST_EMAIL_VERIFICATION = REQUEST_CODE


async def test_request_email_verification_mails_a_bilingual_multipart_code(
    client: GraphQLClient, smtp: SmtpSink
) -> None:
    # given an unregistered address
    email = unique_email()

    # when a code is requested
    result = await client.execute(REQUEST_EMAIL_VERIFICATION, {"email": email.upper()})

    # then a text+HTML mail in Korean and English carries a 6-digit code stored only hashed
    assert result.ok() == {"requestEmailVerification": True}
    message = smtp.wait_for(email)[-1]
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    code = code_in(message)
    assert "인증 코드" in text.get_content() and "verification code" in text.get_content()
    assert code in html.get_content() and "인증 코드" in html.get_content()
    row = await EmailVerification.get(email=email)
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert row.attempts == 0


async def test_request_email_verification_replaces_the_previous_code(
    client: GraphQLClient, mailed_code: Callable[[GraphQLClient, str], Awaitable[str]]
) -> None:
    # given an address with a pending code
    email = unique_email()
    await mailed_code(client, email)
    first = await EmailVerification.get(email=email)

    # when another code is requested
    await mailed_code(client, email)

    # then only the new code is stored
    rows = await EmailVerification.filter(email=email)
    assert len(rows) == 1 and rows[0].code_hash != first.code_hash


async def test_request_email_verification_with_registered_email_is_conflict(
    client: GraphQLClient, new_account: Callable[..., Awaitable[Account]]
) -> None:
    # given a registered member
    account = await new_account()

    # when a code is requested for their address
    result = await client.execute(REQUEST_EMAIL_VERIFICATION, {"email": account.member.email})

    # then it is a conflict on the email and nothing is stored
    assert result.code == "CONFLICT" and result.field == "email"
    assert result.data is None or result.data == {}
    assert not await EmailVerification.filter(email=account.member.email).exists()


async def test_request_email_verification_with_malformed_email_is_bad_input(client: GraphQLClient) -> None:
    # when a code is requested for something that is not an address
    result = await client.execute(REQUEST_EMAIL_VERIFICATION, {"email": "not-an-email"})

    # then the email field is rejected and nothing is stored
    assert result.code == "BAD_USER_INPUT" and result.field == "email"
    assert not await EmailVerification.filter(email="not-an-email").exists()


async def test_request_email_verification_twice_within_a_minute_is_rate_limited(
    start_app: Callable[..., AppServer], smtp: SmtpSink
) -> None:
    # given an app with the production limit of one code per email per minute
    server = start_app(LIMIT_EMAIL_CODE="1/60")
    email = unique_email()
    async with GraphQLClient(server.url) as client:
        assert (await client.execute(REQUEST_EMAIL_VERIFICATION, {"email": email})).ok()
        first = await EmailVerification.get(email=email)

        # when a second code is requested at once
        result = await client.execute(REQUEST_EMAIL_VERIFICATION, {"email": email})

    # then it is refused with a retry delay and the first code stays
    assert result.code == "RATE_LIMITED"
    assert 1 <= result.error["extensions"]["retryAfter"] <= 60
    assert len(smtp.messages_to(email)) == 1
    assert (await EmailVerification.get(email=email)).code_hash == first.code_hash


async def test_request_email_verification_over_the_ip_limit_is_rate_limited(
    start_app: Callable[..., AppServer],
) -> None:
    # given an app allowing two anonymous requests per client IP per minute
    server = start_app(LIMIT_ANONYMOUS_PER_IP="2/60")
    async with GraphQLClient(server.url) as client:
        from_fresh_ip(client)
        for _ in range(2):
            assert (await client.execute(REQUEST_EMAIL_VERIFICATION, {"email": unique_email()})).ok()

        # when a third address is asked for from the same IP
        email = unique_email()
        result = await client.execute(REQUEST_EMAIL_VERIFICATION, {"email": email})

    # then it is refused and nothing is stored
    assert result.code == "RATE_LIMITED" and result.error["extensions"]["retryAfter"] >= 1
    assert not await EmailVerification.filter(email=email).exists()


async def test_request_email_verification_when_mail_fails_stores_nothing(
    start_app: Callable[..., AppServer],
) -> None:
    # given an app whose SMTP server does not answer
    server = start_app(SMTP_PORT=str(free_port()), SMTP_TIMEOUT="2")
    email = unique_email()
    async with GraphQLClient(server.url) as client:
        # when a code is requested
        result = await client.execute(REQUEST_EMAIL_VERIFICATION, {"email": email})

    # then the error says the mail could not be sent, and no code row exists
    assert result.code == "INTERNAL_SERVER_ERROR"
    assert "could not send the verification email" in result.error["message"]
    assert not await EmailVerification.filter(email=email).exists()

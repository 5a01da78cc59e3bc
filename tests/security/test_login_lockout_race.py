"""Hole 8: the login lockout was bypassed by concurrency.

Six concurrent batches of ten logIn attempts all passed the "over the limit?" check before any
failure was counted: all 60 guesses were judged despite ``LIMIT_LOGIN_FAILURES=10/900``, and the
right password after them logged in. changePassword had no limit at all, and the availability
queries let anyone enumerate emails. Now an attempt is reserved before the password is
verified, changePassword has ``LIMIT_CHANGE_PASSWORD`` and the availability queries
``LIMIT_AVAILABILITY_PER_IP``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from models.accounts import Member, TokenFamily
from tests.accounts.conftest import from_fresh_ip
from tests.security.conftest import CHANGE_PASSWORD, NEW_PASSWORD, PASSWORD, WithPassword, log_in
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

LOG_IN = """
mutation LogIn($email: String!, $password: String!) {
  logIn(email: $email, password: $password) { accessToken }
}
"""
EMAIL_AVAILABILITY = "query Free($email: String!) { emailAvailability(email: $email) { available } }"
BATCHES, PER_BATCH = 6, 10


def codes(body: Any) -> list[str | None]:
    """The error code of each operation of a batched response (None: it succeeded)."""
    results = body if isinstance(body, list) else [body]
    return [(result.get("errors") or [{}])[0].get("extensions", {}).get("code") for result in results]


async def test_concurrent_log_in_guesses_cannot_outrun_the_failure_limit(
    start_app: Callable[..., AppServer], member: WithPassword
) -> None:
    # given the production limit of 10 failures per email, and 6 batches of 10 wrong guesses
    # (the right password is not among them: a success forgives the failures before it, so
    # where it lands among concurrent guesses would decide the outcome)
    server = start_app(LIMIT_LOGIN_FAILURES="10/900")
    account = await member()
    guesses = [f"wrong{n:03d}!" for n in range(BATCHES * PER_BATCH)]
    batches = [guesses[i : i + PER_BATCH] for i in range(0, len(guesses), PER_BATCH)]

    # when the batches are sent at the same time, then the right password
    async with httpx.AsyncClient(base_url=server.url, timeout=120) as http:
        responses = await asyncio.gather(
            *(
                http.post(
                    "/graphql",
                    json=[
                        {"query": LOG_IN, "variables": {"email": account.member.email, "password": guess}}
                        for guess in batch
                    ],
                )
                for batch in batches
            )
        )
        right = await http.post(
            "/graphql",
            json={"query": LOG_IN, "variables": {"email": account.member.email, "password": PASSWORD}},
        )

    # then at most 10 guesses were judged, everything else was RATE_LIMITED, the right password
    # too, and no session began
    outcomes = [code for response in responses for code in codes(response.json())]
    assert len(outcomes) == BATCHES * PER_BATCH
    assert sum(code != "RATE_LIMITED" for code in outcomes) <= 10, outcomes
    assert codes(right.json()) == ["RATE_LIMITED"]
    assert not await TokenFamily.filter(member_id=account.member.id).exists()


async def test_change_password_guesses_are_limited(
    start_app: Callable[..., AppServer], member: WithPassword
) -> None:
    # given the default LIMIT_CHANGE_PASSWORD (5 failures per 900 s) and a session
    server = start_app(LIMIT_CHANGE_PASSWORD="5/900")
    account = await member()
    session = await log_in(server, account)
    before = (await Member.get(id=account.member.id)).password_hash

    # when three batches of ten wrong current passwords are tried, then the right one
    async with httpx.AsyncClient(
        base_url=server.url, timeout=120, headers={"authorization": f"Bearer {session['accessToken']}"}
    ) as http:
        wrong = [
            {"query": CHANGE_PASSWORD, "variables": {"current": f"guess{n:03d}!", "new": NEW_PASSWORD}}
            for n in range(PER_BATCH)
        ]
        responses = [await http.post("/graphql", json=wrong) for _ in range(3)]
        right = await http.post(
            "/graphql",
            json={"query": CHANGE_PASSWORD, "variables": {"current": PASSWORD, "new": NEW_PASSWORD}},
        )

    # then only 5 guesses were judged, and even the right password is refused for now
    outcomes = [code for response in responses for code in codes(response.json())]
    assert outcomes.count("FORBIDDEN") == 5 and outcomes.count("RATE_LIMITED") == 25, outcomes
    assert codes(right.json()) == ["RATE_LIMITED"]
    assert (await Member.get(id=account.member.id)).password_hash == before


async def test_email_availability_is_limited_per_ip(start_app: Callable[..., AppServer]) -> None:
    # given the default LIMIT_AVAILABILITY_PER_IP (30 per 60 s)
    server = start_app(LIMIT_AVAILABILITY_PER_IP="30/60")
    async with GraphQLClient(server.url) as client:
        from_fresh_ip(client)
        # when one client asks about 31 addresses
        answers = [
            await client.execute(EMAIL_AVAILABILITY, {"email": f"probe{n}@example.com"}) for n in range(31)
        ]

    # then the first 30 are answered and the 31st is RATE_LIMITED
    assert [answer.code for answer in answers[:30]] == [None] * 30
    assert answers[30].code == "RATE_LIMITED" and answers[30].data == {}

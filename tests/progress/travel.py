"""Time travel for black-box tests: a database of the test's own, servers started on it with
``CLOCK_SHIFT_DAYS``, members signed up through the API (codes read from the SMTP sink), and
``python main.py tick`` run by hand.

The database is the test's own so that a shifted clock's timestamps and notices stay out of the
shared one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import secrets
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tests.challenges.inputs import service_today
from tests.support.graphql import GraphQLClient
from tests.support.servers import PROJECT, AppServer, SmtpSink

PASSWORD = "travel12!"
REQUEST_CODE = "mutation Request($email: String!) { requestEmailVerification(email: $email) }"
SIGN_UP = "mutation SignUp($input: SignUpInput!) { signUp(input: $input) { accessToken member { id } } }"
CREATE_CHALLENGE = "mutation Create($input: CreateChallengeInput!) { createChallenge(input: $input) { id } }"
JOIN = "mutation Join($id: ID!) { joinChallenge(id: $id) { role } }"
CREATE_PROOF = 'mutation Prove($id: ID!) { createProof(challengeId: $id, input: {content: "done"}) { id } }'
APPROVE = "mutation Approve($id: ID!) { reviewProof(id: $id, decision: APPROVED) { status } }"
NOTIFICATIONS = "query { notifications(first: 100) { nodes { type content challengeId createdAt } } }"


@dataclass
class Person:
    id: str
    token: str
    nickname: str


@dataclass
class Travel:
    """Servers on one database, each with its own clock shift."""

    start_app: Callable[..., AppServer]
    smtp: SmtpSink
    base: dict[str, str]  # app_env
    env: dict[str, str]  # the overrides of app_env: the test's own DATABASE_URL, MEDIA_DIR

    def node(self, shift: int, **overrides: str) -> AppServer:
        """A server whose clock runs ``shift`` days ahead (stopped after the test)."""
        return self.start_app(**{**self.env, "CLOCK_SHIFT_DAYS": str(shift), **overrides})

    async def tick(self, shift: int, **overrides: str) -> str:
        """``python main.py tick`` on day ``shift``: its printed report."""
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "main.py",
            "tick",
            cwd=PROJECT,
            env={**os.environ, **self.base, **self.env, "CLOCK_SHIFT_DAYS": str(shift), **overrides},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode == 0, stderr.decode()[-2000:]
        return stdout.decode()

    async def sign_up(self, server: AppServer, prefix: str) -> Person:
        nickname = f"{prefix}{secrets.token_hex(2)}"
        email = f"{nickname}.{secrets.token_hex(4)}@example.com"
        async with GraphQLClient(server.url) as anonymous:
            before = len(self.smtp.messages_to(email))
            (await anonymous.execute(REQUEST_CODE, {"email": email})).ok()
            mail = self.smtp.wait_for(email, count=before + 1)[-1]
            body = mail.get_body(preferencelist=("plain",))
            assert body is not None
            code = re.search(r"\b(\d{6})\b", body.get_content())
            assert code is not None
            values = {"email": email, "password": PASSWORD, "nickname": nickname, "verificationCode": code[1]}
            signed = (await anonymous.execute(SIGN_UP, {"input": values})).ok()["signUp"]
        return Person(id=signed["member"]["id"], token=signed["accessToken"], nickname=nickname)


async def call(server: AppServer, person: Person, query: str, variables: dict[str, Any] | None = None) -> Any:
    async with GraphQLClient(server.url, token=person.token) as client:
        return (await client.execute(query, variables)).ok()


async def create_challenge(server: AppServer, leader: Person, *, days: int, frequency: str = "DAILY") -> str:
    """A challenge from the server's today (day 0 of the travel) lasting ``days`` days."""
    start = service_today()
    values = {
        "title": f"Travel {secrets.token_hex(3)}",
        "category": "IT",
        "description": "",
        "startDate": start.isoformat(),
        "dueDate": (start + dt.timedelta(days=days - 1)).isoformat(),
        "frequency": frequency,
        "authExplanation": "photo",
        "limitAttendance": 10,
    }
    return str((await call(server, leader, CREATE_CHALLENGE, {"input": values}))["createChallenge"]["id"])


async def prove(server: AppServer, author: Person, challenge_id: str, *, approver: Person | None) -> str:
    proof_id = str((await call(server, author, CREATE_PROOF, {"id": challenge_id}))["createProof"]["id"])
    if approver is not None:
        await call(server, approver, APPROVE, {"id": proof_id})
    return proof_id


async def notices(server: AppServer, person: Person, type: str, challenge_id: str) -> list[dict[str, Any]]:
    nodes = (await call(server, person, NOTIFICATIONS))["notifications"]["nodes"]
    return [node for node in nodes if node["type"] == type and node["challengeId"] == challenge_id]


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"not within {within} s")

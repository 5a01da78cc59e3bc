"""examples/gql_client.py (Python `gql`, HTTP + websockets transports) against the real server."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from models.accounts import Member
from models.chat import Message
from tests.clients.conftest import Credentials
from tests.support.factories import Account, make_challenge
from tests.support.graphql import GraphQLClient
from tests.support.servers import PROJECT, AppServer

SIGN_UP = """
mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { accessToken member { id } }
}
"""


async def run_example(*args: str) -> tuple[int, list[dict[str, Any]], str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "examples/gql_client.py",
        *args,
        cwd=PROJECT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    steps = [json.loads(line) for line in stdout.decode().splitlines() if line.startswith("{")]
    return process.returncode or 0, steps, stderr.decode()


async def signed_up(client: GraphQLClient, credentials: Credentials) -> Account:
    payload = (
        await client.execute(
            SIGN_UP,
            {
                "input": {
                    "email": credentials.email,
                    "password": credentials.password,
                    "nickname": credentials.nickname,
                    "verificationCode": credentials.code,
                }
            },
        )
    ).ok()["signUp"]
    member = await Member.get(id=int(payload["member"]["id"]))
    return Account(member=member, token=payload["accessToken"])


async def test_gql_example_logs_in_queries_and_follows_a_room(
    app: AppServer, client: GraphQLClient, email_code: Any
) -> None:
    # given a signed-up member leading a challenge
    credentials: Credentials = await email_code("gql")
    account = await signed_up(client, credentials)
    challenge = await make_challenge(account)

    # when the example runs with their credentials
    code, steps, stderr = await run_example(
        "--url",
        app.graphql_url,
        "--email",
        credentials.email,
        "--password",
        credentials.password,
        "--challenge-id",
        str(challenge.id),
    )

    # then it logged in, queried, and received its second message over the subscription
    assert code == 0, f"{stderr}\n{steps}"
    by_step = {step["step"]: step["data"] for step in steps}
    assert by_step["logIn"] == {"id": account.id, "nickname": credentials.nickname}
    assert by_step["me"]["email"] == credentials.email.lower()
    assert str(challenge.id) in {node["id"] for node in by_step["challenges"]["nodes"]}
    events = [step["data"] for step in steps if step["step"] == "roomEvents"]
    messages = [event["message"]["body"] for event in events if event["type"] == "MESSAGE"]
    assert messages == ["and again"]
    room_messages = Message.filter(room__challenge_id=challenge.id).order_by("seq")
    stored = await room_messages.values_list("body", flat=True)
    assert stored == ["hello from gql", "and again"]


async def test_gql_example_reports_a_wrong_password(
    app: AppServer, client: GraphQLClient, email_code: Any
) -> None:
    # given a signed-up member
    credentials: Credentials = await email_code("gqlx")
    await signed_up(client, credentials)

    # when the example runs with a wrong password
    code, steps, _ = await run_example(
        "--url", app.graphql_url, "--email", credentials.email, "--password", "Wrong2026!x"
    )

    # then it stops with the error's code and nothing else ran
    assert code == 1
    assert [step["step"] for step in steps] == ["logIn failed"]
    assert steps[0]["data"][0]["extensions"]["code"] == "UNAUTHENTICATED"

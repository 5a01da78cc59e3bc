"""Attacks on the operation log: a secret must not reach it whatever its variable is called,
when it is written inline, or when the operation fails before the server knows what it is."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from graphql import GraphQLInputObjectType, GraphQLObjectType

from infra.passwords import get_passwords
from infra.settings import Settings
from schema.marks import is_sensitive
from schema.root import build_schema
from tests.support.factories import Account, make_account, unique_email
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

LOG_IN = "mutation L($e: String!, $pw: String!) { logIn(email: $e, password: $pw) { accessToken } }"
CHANGE_PASSWORD = (
    "mutation C($old: String!, $new: String!) { changePassword(currentPassword: $old, newPassword: $new) }"
)
REFRESH = "mutation R($rt: String) { refreshTokens(refreshToken: $rt) { accessToken } }"
KAKAO = "mutation K($c: String!) { logInWithKakao(code: $c) { accessToken } }"
SIGN_UP = "mutation S($in: SignUpInput!) { signUp(input: $in) { accessToken } }"
MISSPELT = 'mutation M($pw: String!) { logIn(email: "a@example.com", pasword: $pw) { accessToken } }'
REDACTED = "[redacted]"
SECRET_NAME = re.compile(r"password|token|code|secret", re.IGNORECASE)


@pytest.fixture(scope="module")
def logging_app(app_env: dict[str, str]) -> Iterator[AppServer]:
    """An instance logging every operation, with the real login-failure limit's shape."""
    server = AppServer(env={**app_env, "LOG_LEVEL": "INFO", "LIMIT_LOGIN_FAILURES": "1/900"})
    server.start()
    yield server
    server.stop()


def _secret() -> str:
    return f"Pw{secrets.token_hex(12)}!1"


async def _operation_entry(server: AppServer, name: str) -> dict[str, Any]:
    """The last operation log line of the operation called ``name``."""
    deadline = time.monotonic() + 5
    while True:
        entries = [
            entry
            for entry in (json.loads(line) for line in server.log().splitlines() if line.startswith("{"))
            if entry.get("logger") == "eroom.operations" and entry.get("operation_name") == name
        ]
        if entries or time.monotonic() > deadline:
            assert entries, f"no log line for {name}"
            return entries[-1]
        await asyncio.sleep(0.05)


async def _member_with_password(settings: Settings, password: str) -> Account:
    account = await make_account(settings, email=unique_email())
    account.member.password_hash = await get_passwords(settings).hash(password)
    await account.member.save(update_fields=["password_hash"])
    return account


async def test_password_in_a_variable_of_any_name_is_never_logged(logging_app: AppServer) -> None:
    # given: a login whose password travels in `$pw`
    password, email = _secret(), unique_email()

    # when: it fails, so its variables are logged
    async with GraphQLClient(logging_app.url) as client:
        result = await client.execute(LOG_IN, {"e": email, "pw": password})

    # then: the password is redacted by its argument, the email kept
    assert result.code == "UNAUTHENTICATED"
    entry = await _operation_entry(logging_app, "L")
    assert entry["variables"] == {"e": email, "pw": REDACTED}
    assert password not in logging_app.log()


async def test_rate_limited_log_in_never_logs_the_correct_password(
    logging_app: AppServer, settings: Settings
) -> None:
    # given: a member whose login failed once (the limit is one failure)
    password = _secret()
    account = await _member_with_password(settings, password)
    async with GraphQLClient(logging_app.url) as client:
        await client.execute(LOG_IN, {"e": account.member.email, "pw": "wrong-guess-1!"})

        # when: the right password arrives while the limit holds
        result = await client.execute(LOG_IN, {"e": account.member.email, "pw": password})

    # then: refused, and the right password is nowhere in the log
    assert result.code == "RATE_LIMITED"
    await _operation_entry(logging_app, "L")
    assert password not in logging_app.log()


async def test_change_password_arguments_are_never_logged(
    logging_app: AppServer, new_account: Callable
) -> None:
    # given: a member sending `$old` and `$new`
    account: Account = await new_account()
    old, new = _secret(), _secret()

    # when: the change fails
    async with GraphQLClient(logging_app.url, token=account.token) as client:
        result = await client.execute(CHANGE_PASSWORD, {"old": old, "new": new})

    # then: both are redacted
    assert result.errors
    entry = await _operation_entry(logging_app, "C")
    assert entry["variables"] == {"old": REDACTED, "new": REDACTED}
    assert old not in logging_app.log() and new not in logging_app.log()


async def test_tokens_and_codes_in_variables_of_any_name_are_never_logged(logging_app: AppServer) -> None:
    # given: a refresh token in `$rt` and a Kakao code in `$c`
    token, code = secrets.token_urlsafe(32), secrets.token_urlsafe(24)

    # when: both operations fail
    async with GraphQLClient(logging_app.url) as client:
        refreshed = await client.execute(REFRESH, {"rt": token})
        kakao = await client.execute(KAKAO, {"c": code})

    # then: neither value is logged
    assert refreshed.errors and kakao.errors
    assert (await _operation_entry(logging_app, "R"))["variables"] == {"rt": REDACTED}
    assert (await _operation_entry(logging_app, "K"))["variables"] == {"c": REDACTED}
    assert token not in logging_app.log() and code not in logging_app.log()


async def test_secrets_inside_an_input_variable_are_never_logged(logging_app: AppServer) -> None:
    # given: a sign-up whose input object carries a password and a verification code
    password, email = _secret(), unique_email()
    values = {"email": email, "password": password, "nickname": "nick", "verificationCode": "918273"}

    # when: it fails (the code was never sent)
    async with GraphQLClient(logging_app.url) as client:
        result = await client.execute(SIGN_UP, {"in": values})

    # then: the input's secret fields are redacted, the others kept
    assert result.errors
    entry = await _operation_entry(logging_app, "S")
    assert entry["variables"] == {
        "in": {"email": email, "password": REDACTED, "nickname": "nick", "verificationCode": REDACTED}
    }
    assert password not in logging_app.log()


async def test_inline_password_literal_is_never_logged(logging_app: AppServer) -> None:
    # given: a password written into the document itself
    password = _secret()
    query = (
        f'mutation Inline {{ logIn(email: "{unique_email()}", password: "{password}") {{ accessToken }} }}'
    )

    # when: the login fails
    async with GraphQLClient(logging_app.url) as client:
        result = await client.execute(query)

    # then: the literal is not logged
    assert result.code == "UNAUTHENTICATED"
    await _operation_entry(logging_app, "Inline")
    assert password not in logging_app.log()


async def test_variable_bound_to_no_known_argument_is_never_logged(logging_app: AppServer) -> None:
    # given: a misspelt argument, so the server cannot tell what `$pw` is
    password = _secret()

    # when: validation refuses the operation
    async with GraphQLClient(logging_app.url) as client:
        result = await client.execute(MISSPELT, {"pw": password})

    # then: the value is redacted
    assert result.code == "BAD_USER_INPUT"
    assert (await _operation_entry(logging_app, "M"))["variables"] == {"pw": REDACTED}
    assert password not in logging_app.log()


def test_every_argument_and_input_field_named_like_a_secret_is_marked_sensitive() -> None:
    # given: the served schema
    schema = build_schema(Settings())._schema

    # when: every argument and input field whose name says password, token, code or secret is
    # looked at
    unmarked = []
    for type_name, named in schema.type_map.items():
        if type_name.startswith("__"):
            continue
        if isinstance(named, GraphQLInputObjectType):
            places = {f"{type_name}.{name}": field for name, field in named.fields.items()}
        elif isinstance(named, GraphQLObjectType):
            places = {
                f"{type_name}.{field_name}({name})": argument
                for field_name, field in named.fields.items()
                for name, argument in field.args.items()
            }
        else:
            continue
        unmarked += [
            place
            for place, definition in places.items()
            if SECRET_NAME.search(place.rsplit(".", 1)[-1]) and not is_sensitive(definition)
        ]

    # then: each is marked on its definition
    assert unmarked == []

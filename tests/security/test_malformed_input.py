"""Attacks with malformed input: each is the client's mistake (BAD_USER_INPUT), never a 500."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from infra.ids import encode_cursor
from models.accounts import Member
from tests.support.factories import Account, make_challenge
from tests.support.graphql import GraphQLClient
from tests.support.servers import AppServer

CHALLENGES = """
query C($sort: ChallengeSort, $after: String) { challenges(sort: $sort, after: $after) { nodes { id } } }
"""
PROOFS = "query P($id: ID!, $after: String) { challenge(id: $id) { proofs(after: $after) { nodes { id } } } }"
NOTIFICATIONS = "query N($after: String) { notifications(after: $after) { nodes { id } } }"
MESSAGES = """
query M($id: ID!, $before: String) { room(challengeId: $id) { messages(before: $before) { nodes { id } } } }
"""
UPDATE_PROFILE_IMAGE = "mutation U($b: Upload!) { updateProfileImage(image: $b) { id } }"
HUGE = 10**19  # past a signed 64-bit integer
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 17


@pytest.mark.parametrize(
    ("sort", "parts"),
    [
        ("LATEST", (0, HUGE, 1)),
        ("LATEST", (0, -HUGE, 1)),
        ("LATEST", (0, 1, HUGE)),
        ("POPULAR", (0, HUGE, 1, 1)),
        ("POPULAR", (0, 1, 1, HUGE)),
        ("STARTING_SOON", (0, 1, HUGE)),
    ],
)
async def test_challenges_cursor_with_huge_numbers_is_bad_user_input(
    client: GraphQLClient, sort: str, parts: tuple[int, ...]
) -> None:
    # given: a cursor of the right kind holding numbers no row can have
    cursor = encode_cursor(f"challenges.{sort}", *parts)

    # when
    result = await client.execute(CHALLENGES, {"sort": sort, "after": cursor})

    # then
    assert (result.code, result.field) == ("BAD_USER_INPUT", "after")
    assert result.data.get("challenges") is None


async def test_proofs_and_notifications_cursors_past_64_bits_are_bad_user_input(
    new_account: Callable, client_for: Callable[[Account], GraphQLClient]
) -> None:
    # given: a member and a challenge of theirs
    account: Account = await new_account()
    challenge = await make_challenge(account)
    client = client_for(account)

    # when: 19-digit cursors over the largest id are sent to every integer-keyed list
    proofs = await client.execute(PROOFS, {"id": str(challenge.id), "after": encode_cursor("p", "9" * 19)})
    notes = await client.execute(NOTIFICATIONS, {"after": encode_cursor("n", "9" * 19)})
    messages = await client.execute(
        MESSAGES, {"id": str(challenge.id), "before": encode_cursor("room", challenge.id, "9" * 19)}
    )

    # then: each is the client's mistake, naming the argument
    assert (proofs.code, proofs.field) == ("BAD_USER_INPUT", "after")
    assert (notes.code, notes.field) == ("BAD_USER_INPUT", "after")
    assert (messages.code, messages.field) == ("BAD_USER_INPUT", "before")


async def test_multipart_map_into_a_missing_variable_path_is_bad_user_input(
    app: AppServer, new_account: Callable
) -> None:
    # given: a file mapped below a variable that holds nothing
    account: Account = await new_account()
    operations = {"query": UPDATE_PROFILE_IMAGE, "variables": {"b": None}}

    # when
    async with httpx.AsyncClient(timeout=30) as http:
        response = await http.post(
            app.graphql_url,
            headers={"authorization": f"Bearer {account.token}"},
            data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.b.x.y"]})},
            files={"0": ("a.png", PNG, "image/png")},
        )

    # then: a 400 with a GraphQL error, nothing stored
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await Member.get(id=account.member.id)).profile_image is None


@pytest.mark.parametrize("depth", [100_000, 900])
def test_json_body_nested_deeply_is_bad_user_input(app: AppServer, depth: int) -> None:
    # given: a body whose variables nest `depth` levels deep
    body = '{"query": "{ __typename }", "variables": {"a": ' + "[" * depth + "]" * depth + "}}"

    # when
    response = httpx.post(app.graphql_url, content=body, headers={"content-type": "application/json"})

    # then
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

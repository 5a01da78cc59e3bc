"""The chat's mutations fuzzed against a room that exists: generated bodies, emoji, cursors and
ids (real ones among them) reach the rules behind NOT_FOUND, so every path ends in a coded
error or a result, never an INTERNAL_SERVER_ERROR. The schema-wide run (test_fuzz.py) covers
the same mutations with made-up ids."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.realtime.conftest import send
from tests.support.factories import Account, add_member, make_challenge
from tests.support.servers import AppServer

OPERATIONS = {
    "sendMessage": "mutation($c: ID!, $body: String!, $id: ID) "
    "{ sendMessage(challengeId: $c, body: $body, replyToId: $id) { id replyTo { id } } }",
    "editMessage": "mutation($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { id editedAt } }",
    "reactToMessage": "mutation($id: ID!, $emoji: String!, $on: Boolean) "
    "{ reactToMessage(id: $id, emoji: $emoji, reacted: $on) { reactions { emoji count viewerReacted } } }",
    "pinMessage": "mutation($c: ID!, $id: ID) "
    "{ pinMessage(challengeId: $c, messageId: $id) { pinnedMessage { id } } }",
    "markRoomRead": "mutation($c: ID!, $cursor: String!) "
    "{ markRoomRead(challengeId: $c, cursor: $cursor) { unreadCount lastReadCursor } }",
    "myRooms": "query($cursor: String) { myRooms(first: 5, after: $cursor) { nodes { unreadCount } } }",
}
EMOJI = ["\U0001f44d", "\u2764\ufe0f", "\U0001f1f0\U0001f1f7", "1\ufe0f\u20e3", "\U0001f468\u200d\U0001f469"]


def _check(http: httpx.Client, query: str, variables: dict[str, Any]) -> None:
    response = http.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code < 500, (query, variables, response.text[:500])
    codes = [error.get("extensions", {}).get("code") for error in response.json().get("errors") or []]
    assert "INTERNAL_SERVER_ERROR" not in codes and None not in codes, (query, variables, response.text[:500])


async def test_generated_chat_mutations_never_fail_internally(
    app: AppServer, new_account: Callable[..., Awaitable[Account]]
) -> None:
    # given a room the fuzzing leader and a member share, with messages of both
    leader, member = await new_account(), await new_account()
    challenge = await make_challenge(leader)
    await add_member(challenge, member)
    messages = [await send(app, account, str(challenge.id), "seed") for account in (leader, member, leader)]
    ids = st.sampled_from([m["id"] for m in messages] + ["0", "-1", "x", "9223372036854775807"])
    cursors = st.sampled_from([m["cursor"] for m in messages]) | st.text(max_size=30)
    values = {
        "c": st.sampled_from([str(challenge.id), "0", "nope"]),
        "id": st.none() | ids,
        "body": st.text(max_size=40) | st.just("x" * 1001),
        "emoji": st.sampled_from(EMOJI) | st.text(max_size=6),
        "on": st.none() | st.booleans(),
        "cursor": cursors,
    }
    calls = st.sampled_from(sorted(OPERATIONS)).flatmap(
        lambda name: st.fixed_dictionaries({"name": st.just(name), **values})
    )

    # when generated calls run, then none fails internally
    with httpx.Client(
        base_url=app.url, headers={"authorization": f"Bearer {leader.token}"}, timeout=30
    ) as http:

        @settings(
            max_examples=120,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        )
        @given(call=calls)
        def run(call: dict[str, Any]) -> None:
            name = call.pop("name")
            query = OPERATIONS[name]
            variables = {key: value for key, value in call.items() if re.search(rf"\${key}\b", query)}
            _check(http, query, variables)

        run()

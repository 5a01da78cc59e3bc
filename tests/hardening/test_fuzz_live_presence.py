"""Schema fuzzing of the live presence mutations (setTyping, setPresenceStatus): generated calls
by a member holding a live subscription of the room, so they reach the mutations' own code,
never give an INTERNAL_SERVER_ERROR or a 5xx."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from graphql import StringValueNode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.hardening.test_fuzz import SCALARS, _check, _live_schema
from tests.support.factories import Account, make_challenge
from tests.support.servers import AppServer

# The mutations pass their checks only for a member with a live roomEvents
# subscription in the room: the fuzzing member holds one, and generated ids include its room's.
LIVE_MUTATIONS = ["setTyping", "setPresenceStatus"]
LIVE_ROOM = "subscription R($c: ID!) { roomEvents(challengeId: $c) { type } }"


@pytest.fixture
async def live_member(new_account: Callable) -> tuple[str, str]:
    """A member's token and a challenge (theirs) whose room they will subscribe to."""
    account: Account = await new_account()
    challenge = await make_challenge(account)
    return account.token, str(challenge.id)


def _subscribed(url: str, token: str, challenge_id: str) -> ClientConnection:
    connection = connect(url, subprotocols=[Subprotocol("graphql-transport-ws")])
    connection.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
    assert json.loads(connection.recv(timeout=10))["type"] == "connection_ack"
    payload = {"query": LIVE_ROOM, "variables": {"c": challenge_id}}
    connection.send(json.dumps({"id": "room", "type": "subscribe", "payload": payload}))
    joined = json.loads(connection.recv(timeout=10))
    assert joined["payload"]["data"]["roomEvents"]["type"] == "JOIN", joined
    return connection


@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE])
def test_generated_live_presence_mutations_never_fail_internally(
    app: AppServer, live_member: tuple[str, str], mode: Mode
) -> None:
    token, challenge_id = live_member
    ids = st.sampled_from([challenge_id, challenge_id, "0", "-1", "x", "99999999999999999999", ""])
    scalars = {**SCALARS, "ID": ids.map(lambda value: StringValueNode(value=value))}
    strategy = mutations(_live_schema(app), fields=LIVE_MUTATIONS, custom_scalars=scalars, mode=mode)
    headers = {"authorization": f"Bearer {token}"}
    subscription = _subscribed(app.ws_url, token, challenge_id)
    outcomes: list[str] = []
    try:
        with httpx.Client(base_url=app.url, headers=headers, timeout=30) as http:

            @settings(
                max_examples=40,
                deadline=None,
                database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
            )
            @given(query=strategy)
            def run(query: object) -> None:
                outcomes.append(_check(http, query))

            run()
    finally:
        subscription.close()
    # and the run reached the mutations' own code, accepted calls included
    if mode == Mode.POSITIVE:
        assert {"ok", "CONFLICT"} & set(outcomes), outcomes

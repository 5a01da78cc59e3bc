"""``clientMessageId`` makes a resend idempotent within one room: the same id in another room is
another message."""

from __future__ import annotations

from collections.abc import Callable

from models.chat import Message
from tests.realtime.conftest import SEND_MESSAGE, Crew
from tests.support.factories import Account, add_member, make_challenge
from tests.support.graphql import GraphQLClient


async def test_send_message_with_a_client_message_id_used_in_another_room_stores_a_new_message(
    client_for: Callable[[Account], GraphQLClient], crew: Crew
) -> None:
    # given alice in two rooms, having sent "msg-1" in the first
    other = await make_challenge(crew.leader, title="Second room")
    await add_member(other, crew.alice)
    graphql = client_for(crew.alice)
    first = (
        await graphql.execute(
            SEND_MESSAGE, {"challengeId": crew.id, "body": "in A", "clientMessageId": "msg-1"}
        )
    ).ok()["sendMessage"]

    # when she sends "msg-1" to the second room
    second = (
        await graphql.execute(
            SEND_MESSAGE, {"challengeId": str(other.id), "body": "in B", "clientMessageId": "msg-1"}
        )
    ).ok()["sendMessage"]

    # then the second room stores its own message, and the first is untouched
    assert second["id"] != first["id"]
    assert second["body"] == "in B"
    [stored] = await Message.filter(room__challenge_id=other.id)
    assert (str(stored.id), stored.body, stored.seq, stored.client_message_id) == (
        second["id"],
        "in B",
        1,
        "msg-1",
    )
    [kept] = await Message.filter(room__challenge_id=crew.challenge.id)
    assert (str(kept.id), kept.body) == (first["id"], "in A")

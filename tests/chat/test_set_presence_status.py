"""setPresenceStatus: needs a live roomEvents subscription in the room (CONFLICT otherwise); ONLINE
on join; the status lives and ends with the member's presence; STATUS goes to the room."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from models.chat import Message, RoomLogEntry
from tests.chat.conftest import (
    ROOM_EVENTS,
    SET_PRESENCE_STATUS,
    call,
    next_of,
    online_in_room,
    room_presence,
    statuses,
)
from tests.realtime.conftest import Crew
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

OpenSocket = Callable[..., Awaitable[GraphQLWebSocket]]


def parse(moment: str) -> dt.datetime:
    return dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))


async def test_set_presence_status_without_a_live_subscription_is_a_conflict(
    app: AppServer, crew: Crew
) -> None:
    # given alice, a member with no roomEvents subscription open
    # when she sets her status
    result = await call(app, crew.alice, SET_PRESENCE_STATUS, {"c": crew.id, "status": "STUDYING"})

    # then CONFLICT, and the room shows nobody online with a status
    assert result.code == "CONFLICT"
    assert result.data.get("setPresenceStatus") is None
    assert (await room_presence(app, crew.leader, crew.id))["presence"] == []


async def test_set_presence_status_as_outsider_is_forbidden(app: AppServer, crew: Crew) -> None:
    # given someone who is not a member of the challenge
    # when they set a status in its room
    result = await call(app, crew.outsider, SET_PRESENCE_STATUS, {"c": crew.id, "status": "AWAY"})

    # then FORBIDDEN, and nothing changed
    assert result.code == "FORBIDDEN"
    assert result.data.get("setPresenceStatus") is None
    assert (await room_presence(app, crew.leader, crew.id))["presence"] == []


async def test_set_presence_status_in_a_missing_challenge_is_not_found(app: AppServer, crew: Crew) -> None:
    # given a challenge id that does not exist
    # when alice sets a status there
    result = await call(app, crew.alice, SET_PRESENCE_STATUS, {"c": "987654321", "status": "AWAY"})

    # then NOT_FOUND
    assert result.code == "NOT_FOUND"
    assert result.data.get("setPresenceStatus") is None


async def test_presence_status_is_online_on_join(app: AppServer, crew: Crew, sockets: OpenSocket) -> None:
    # given alice's clock reading before she opens the room
    before = dt.datetime.now(dt.UTC)

    # when she subscribes to the room
    alice = await sockets(crew.alice, server=app)
    op = await alice.subscribe(ROOM_EVENTS, {"c": crew.id})
    joined = await next_of(alice, op, "JOIN")

    # then her JOIN and the room both show her ONLINE since she joined
    assert [(p["member"]["id"], p["status"]) for p in joined["presence"]] == [(crew.alice.id, "ONLINE")]
    since = parse(joined["presence"][0]["since"])
    assert before - dt.timedelta(seconds=1) <= since <= dt.datetime.now(dt.UTC)
    room = await room_presence(app, crew.bob, crew.id)
    assert room["presence"] == joined["presence"]


async def test_set_presence_status_announces_status_to_the_room(
    app: AppServer, crew: Crew, sockets: OpenSocket
) -> None:
    # given alice and bob subscribed to the room
    alice, bob = await sockets(crew.alice, server=app), await sockets(crew.bob, server=app)
    alice_op = await online_in_room(alice, crew.alice, crew.id)
    bob_op = await online_in_room(bob, crew.bob, crew.id)
    log_before = await RoomLogEntry.filter(room__challenge_id=crew.challenge.id).count()

    # when alice says she is studying
    result = await call(app, crew.alice, SET_PRESENCE_STATUS, {"c": crew.id, "status": "STUDYING"})

    # then she gets her presence back, and both subscribers get a STATUS event with it
    own = result.ok()["setPresenceStatus"]
    assert (own["member"]["id"], own["status"]) == (crew.alice.id, "STUDYING")
    for socket, op in ((bob, bob_op), (alice, alice_op)):
        event = await next_of(socket, op, "STATUS")
        assert event["member"]["id"] == crew.alice.id
        assert statuses(event["presence"]) == {crew.alice.id: "STUDYING", crew.bob.id: "ONLINE"}
        assert own in event["presence"]
    # and the room says so to every member, while the database log is untouched
    assert statuses((await room_presence(app, crew.leader, crew.id))["presence"]) == {
        crew.alice.id: "STUDYING",
        crew.bob.id: "ONLINE",
    }
    assert await RoomLogEntry.filter(room__challenge_id=crew.challenge.id).count() == log_before
    assert await Message.filter(room__challenge_id=crew.challenge.id).count() == 0


async def test_presence_status_ends_with_the_presence(
    app: AppServer, crew: Crew, sockets: OpenSocket
) -> None:
    # given alice studying in the room, watched by bob
    bob = await sockets(crew.bob, server=app)
    bob_op = await online_in_room(bob, crew.bob, crew.id)
    alice = await sockets(crew.alice, server=app)
    alice_op = await online_in_room(alice, crew.alice, crew.id)
    (await call(app, crew.alice, SET_PRESENCE_STATUS, {"c": crew.id, "status": "STUDYING"})).ok()

    # when she closes her subscription
    await alice.complete(alice_op)
    left = await next_of(bob, bob_op, "LEAVE")

    # then her status went with her: she cannot set one, and comes back ONLINE
    assert statuses(left["presence"]) == {crew.bob.id: "ONLINE"}
    refused = await call(app, crew.alice, SET_PRESENCE_STATUS, {"c": crew.id, "status": "AWAY"})
    assert refused.code == "CONFLICT"
    await online_in_room(alice, crew.alice, crew.id)
    assert statuses((await room_presence(app, crew.bob, crew.id))["presence"]) == {
        crew.alice.id: "ONLINE",
        crew.bob.id: "ONLINE",
    }


async def test_presence_status_is_per_member_not_per_connection(
    app: AppServer, crew: Crew, sockets: OpenSocket
) -> None:
    # given alice away with one subscription open
    first = await sockets(crew.alice, server=app)
    first_op = await online_in_room(first, crew.alice, crew.id)
    (await call(app, crew.alice, SET_PRESENCE_STATUS, {"c": crew.id, "status": "AWAY"})).ok()

    # when she opens the room on a second device, then closes the first
    second = await sockets(crew.alice, server=app)
    await online_in_room(second, crew.alice, crew.id)
    await first.complete(first_op)

    # then she is still AWAY: her status ends with her last subscription, not her first
    room = await room_presence(app, crew.bob, crew.id)
    assert statuses(room["presence"]) == {crew.alice.id: "AWAY"}


async def test_set_presence_status_over_the_rate_limit_is_rate_limited(
    start_app: Callable[..., AppServer], crew: Crew, sockets: OpenSocket
) -> None:
    # given a server allowing 2 status changes per minute, alice online through it
    server = start_app(LIMIT_SET_PRESENCE_STATUS="2/60")
    alice = await sockets(crew.alice, server=server)
    await online_in_room(alice, crew.alice, crew.id)

    # when she changes her status three times
    for status in ("STUDYING", "AWAY"):
        (await call(server, crew.alice, SET_PRESENCE_STATUS, {"c": crew.id, "status": status})).ok()
    result = await call(server, crew.alice, SET_PRESENCE_STATUS, {"c": crew.id, "status": "ONLINE"})

    # then the third is RATE_LIMITED with retryAfter, and the second one stands
    assert result.code == "RATE_LIMITED"
    assert 1 <= result.error["extensions"]["retryAfter"] <= 60
    assert statuses((await room_presence(server, crew.bob, crew.id))["presence"]) == {crew.alice.id: "AWAY"}

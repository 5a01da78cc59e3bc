"""EDIT, REACTION and PIN in the room's durable log: resumed by cursor with no gap and no
duplicate; per-viewer fields stay per viewer when subscribers share one selection."""

from __future__ import annotations

from typing import Any

from tests.chat.conftest import Crew, call, send
from tests.realtime.test_room_events import next_event, next_of
from tests.support.servers import AppServer
from tests.support.ws import GraphQLWebSocket

ROOM_EVENTS = """
subscription R($c: ID!, $after: String) {
  roomEvents(challengeId: $c, after: $after) { type cursor emoji reacted message { id body } }
}
"""
SHARED_SELECTION = """
subscription Shared($c: ID!) {
  roomEvents(challengeId: $c) {
    type
    message {
      id
      reactions { emoji count viewerReacted }
      sender { challenges { challenge { id room { unreadCount } } } }
    }
  }
}
"""
EDIT = "mutation E($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { id } }"
REACT = """
mutation R($id: ID!, $e: String!, $r: Boolean) { reactToMessage(id: $id, emoji: $e, reacted: $r) { id } }
"""
PIN = "mutation P($c: ID!, $m: ID) { pinMessage(challengeId: $c, messageId: $m) { id } }"
THUMBS = "\U0001f44d"


async def _durable(socket: GraphQLWebSocket, op: str, count: int) -> list[dict[str, Any]]:
    """The next ``count`` durable events (presence events interleave)."""
    events: list[dict[str, Any]] = []
    while len(events) < count:
        event = await next_event(socket, op)
        if event["cursor"] is not None:
            events.append(event)
    return events


def _summary(events: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return [(event["type"], event["message"] and event["message"]["id"]) for event in events]


async def test_resume_by_cursor_replays_edit_reaction_and_pin_without_gap_or_duplicate(
    app: AppServer, crew: Crew
) -> None:
    # given a log: m1, m2, EDIT m1, REACTION m2, PIN m1, m3
    m1, m2 = [await send(app, crew.alice, crew.id, body) for body in ("one", "two")]
    (await call(app, crew.alice, EDIT, {"id": m1["id"], "body": "one!"})).ok()
    (await call(app, crew.bob, REACT, {"id": m2["id"], "e": THUMBS})).ok()
    (await call(app, crew.leader, PIN, {"c": crew.id, "m": m1["id"]})).ok()
    m3 = await send(app, crew.alice, crew.id, "three")

    # when bob resumes after m1, then more durable events happen live
    async with await GraphQLWebSocket.connect(app.ws_url, token=crew.bob.token) as socket:
        op = await socket.subscribe(ROOM_EVENTS, {"c": crew.id, "after": m1["cursor"]})
        replayed = await _durable(socket, op, 5)
        await next_of(socket, op, "JOIN")
        (await call(app, crew.alice, EDIT, {"id": m3["id"], "body": "three!"})).ok()
        (await call(app, crew.bob, REACT, {"id": m2["id"], "e": THUMBS, "r": False})).ok()
        (await call(app, crew.leader, PIN, {"c": crew.id, "m": None})).ok()
        live = await _durable(socket, op, 3)

    # then every durable event after m1 once, in log order, messages in their current state
    events = replayed + live
    assert _summary(events) == [
        ("MESSAGE", m2["id"]),
        ("EDIT", m1["id"]),
        ("REACTION", m2["id"]),
        ("PIN", m1["id"]),
        ("MESSAGE", m3["id"]),
        ("EDIT", m3["id"]),
        ("REACTION", m2["id"]),
        ("PIN", None),
    ]
    assert replayed[1]["message"]["body"] == "one!"
    assert [(event["emoji"], event["reacted"]) for event in events if event["type"] == "REACTION"] == [
        (THUMBS, True),
        (THUMBS, False),
    ]
    cursors = [event["cursor"] for event in events]
    assert len(set(cursors)) == len(cursors) and m1["cursor"] not in cursors

    # and resuming from the middle (the REACTION's cursor) gives exactly the rest
    async with await GraphQLWebSocket.connect(app.ws_url, token=crew.bob.token) as socket:
        op = await socket.subscribe(ROOM_EVENTS, {"c": crew.id, "after": events[2]["cursor"]})
        rest = await _durable(socket, op, 5)
    assert [event["cursor"] for event in rest] == cursors[3:]


async def test_shared_selection_keeps_viewer_reacted_and_unread_count_per_viewer(
    app: AppServer, crew: Crew
) -> None:
    # given alice's message, and alice and bob subscribed with one and the same selection
    message = await send(app, crew.alice, crew.id, "shared")
    sockets = []
    for account in (crew.alice, crew.bob):
        socket = await GraphQLWebSocket.connect(app.ws_url, token=account.token)
        op = await socket.subscribe(SHARED_SELECTION, {"c": crew.id})
        await next_of(socket, op, "JOIN")
        sockets.append((socket, op))

    try:
        # when bob reacts to alice's message
        (await call(app, crew.bob, REACT, {"id": message["id"], "e": THUMBS})).ok()
        alice_event, bob_event = [await next_of(socket, op, "REACTION") for socket, op in sockets]
    finally:
        for socket, _ in sockets:
            await socket.close()

    # then each sees their own viewerReacted and unreadCount
    def seen(event: dict[str, Any]) -> tuple[bool, int]:
        reaction = event["message"]["reactions"][0]
        rooms = event["message"]["sender"]["challenges"]
        room = next(item["challenge"]["room"] for item in rooms if item["challenge"]["id"] == crew.id)
        return reaction["viewerReacted"], room["unreadCount"]

    assert seen(alice_event) == (False, 0)  # her own message is not unread to her
    assert seen(bob_event) == (True, 1)
    assert (
        alice_event["message"]["reactions"][0]["count"] == bob_event["message"]["reactions"][0]["count"] == 1
    )

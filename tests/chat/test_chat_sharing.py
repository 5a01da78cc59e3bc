"""Which chat fields let roomEvents subscribers share one execution per event: counts of
reactions, edits, replies and the REACTION's emoji are the same for every member; whether the
viewer reacted, unread counts and read positions are not."""

from __future__ import annotations

import pytest

from tests.engine.test_group_key import key_for

SHARED = """
subscription RoomEvents($challengeId: ID!) {
  roomEvents(challengeId: $challengeId) {
    type cursor emoji reacted
    message { id body editedAt replyTo { id body } reactions { emoji count } }
  }
}
"""
PER_VIEWER = {
    "viewerReacted": "message { reactions { viewerReacted } }",
    "unreadCount": "message { sender { challenges { challenge { room { unreadCount } } } } }",
    "lastReadCursor": "message { sender { challenges { challenge { room { lastReadCursor } } } } }",
    "pinnedMessage": "message { sender { challenges { challenge { room { pinnedMessage { id } } } } } }",
}


def test_reaction_counts_edits_and_replies_share_across_members() -> None:
    # given the same selection of reaction counts, edits and replies from two members
    # when their group keys are computed
    first, second = key_for(SHARED, 1), key_for(SHARED, 2)

    # then they are one group
    assert first is not None and first == second


@pytest.mark.parametrize("selection", PER_VIEWER.values(), ids=PER_VIEWER.keys())
def test_viewer_dependent_chat_fields_group_per_viewer(selection: str) -> None:
    # given a selection holding a field whose value depends on the viewer
    query = f"subscription R($challengeId: ID!) {{ roomEvents(challengeId: $challengeId) {{ {selection} }} }}"

    # when two members and the same member twice compute their keys
    one, other, one_again = (key_for(query, viewer) for viewer in (1, 2, 1))

    # then each viewer has a group of their own
    assert one != other and one == one_again

"""Bus channel names: one per room, one per member."""

from __future__ import annotations


def room_channel(challenge_id: int) -> str:
    return f"room:{challenge_id}"


def member_channel(member_id: int) -> str:
    return f"member:{member_id}"

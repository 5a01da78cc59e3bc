"""DataLoaders of the chat domain. Loaders whose answer depends on the viewer take
``(viewer_id, key)`` keys, so one loader of an operation never mixes viewers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from strawberry.dataloader import DataLoader
from tortoise import connections

from models.chat import Message, Room
from resolvers.chat import reads
from resolvers.loaders import one_per_key

ViewerKey = tuple[int, int]


@dataclass(frozen=True, slots=True)
class ReactionCount:
    emoji: str
    count: int
    viewer_reacted: bool


class RoomByChallengeIdLoader(DataLoader[int, Room | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=one_per_key(Room, "challenge_id"))


class MessageByIdLoader(DataLoader[int, Message | None]):
    """Messages by id, deleted ones included (callers decide what a deleted one shows)."""

    def __init__(self) -> None:
        super().__init__(load_fn=one_per_key(Message))


async def _last_messages(challenge_ids: Sequence[int]) -> list[Message | None]:
    ids = await reads.last_message_ids(challenge_ids)
    found = {message.id: message for message in await Message.filter(id__in=list(ids.values()))}
    return [found.get(ids.get(challenge_id, 0)) for challenge_id in challenge_ids]


class LastMessageByChallengeIdLoader(DataLoader[int, Message | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=_last_messages)


async def _read_states(keys: Sequence[ViewerKey]) -> list[reads.ReadState | None]:
    by_viewer: dict[int, list[int]] = defaultdict(list)
    for viewer_id, challenge_id in keys:
        by_viewer[viewer_id].append(challenge_id)
    states = {
        viewer_id: await reads.read_states(viewer_id, sorted(set(challenge_ids)))
        for viewer_id, challenge_ids in by_viewer.items()
    }
    return [states[viewer_id].get(challenge_id) for viewer_id, challenge_id in keys]


class ReadStateByChallengeIdLoader(DataLoader[ViewerKey, reads.ReadState | None]):
    """``(viewer_id, challenge_id)``: the viewer's read state of the room, None when the viewer
    does not belong to the challenge."""

    def __init__(self) -> None:
        super().__init__(load_fn=_read_states)


async def _reaction_counts(keys: Sequence[ViewerKey]) -> list[list[ReactionCount]]:
    connection = connections.get("default")
    postgres = connection.capabilities.dialect == "postgres"
    message_ids = sorted({message_id for _, message_id in keys})
    marks = (
        ", ".join(f"${n + 1}" for n in range(len(message_ids)))
        if postgres
        else ", ".join("?" * len(message_ids))
    )
    sql = (
        "SELECT message_id, emoji, member_id, id FROM reaction "
        f"WHERE message_id IN ({marks}) ORDER BY message_id, id"
    )
    rows = await connection.execute_query_dict(sql, message_ids)
    reactors: dict[int, dict[str, list[int]]] = defaultdict(dict)
    for row in rows:  # in reaction order: an emoji's first reaction comes first
        reactors[row["message_id"]].setdefault(row["emoji"], []).append(row["member_id"])

    def counts(viewer_id: int, message_id: int) -> list[ReactionCount]:
        emoji = reactors.get(message_id, {})
        made = [ReactionCount(name, len(members), viewer_id in members) for name, members in emoji.items()]
        return sorted(made, key=lambda reaction: -reaction.count)  # stable: ties keep first-reacted order

    return [counts(viewer_id, message_id) for viewer_id, message_id in keys]


class ReactionCountsByMessageIdLoader(DataLoader[ViewerKey, list[ReactionCount]]):
    """``(viewer_id, message_id)``: one entry per emoji, most used first."""

    def __init__(self) -> None:
        super().__init__(load_fn=_reaction_counts)

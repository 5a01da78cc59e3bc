"""DataLoaders of the chat domain."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from models.challenges import Challenge
from models.chat import Room


async def _rooms_by_challenge_id(challenge_ids: Sequence[int]) -> list[Room | None]:
    rooms = {room.challenge_id: room for room in await Room.filter(challenge_id__in=list(set(challenge_ids)))}  # type: ignore[attr-defined]
    return [rooms.get(challenge_id) for challenge_id in challenge_ids]


async def _challenges_by_id(ids: Sequence[int]) -> list[Challenge | None]:
    challenges = {challenge.id: challenge for challenge in await Challenge.filter(id__in=list(set(ids)))}
    return [challenges.get(challenge_id) for challenge_id in ids]


class RoomByChallengeIdLoader(DataLoader[int, Room | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=_rooms_by_challenge_id)


class ChallengeByIdLoader(DataLoader[int, Challenge | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=_challenges_by_id)

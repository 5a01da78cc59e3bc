"""DataLoaders of the chat domain."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from models.chat import Room


async def _rooms_by_challenge_id(challenge_ids: Sequence[int]) -> list[Room | None]:
    rooms = {room.challenge_id: room for room in await Room.filter(challenge_id__in=list(set(challenge_ids)))}  # type: ignore[attr-defined]
    return [rooms.get(challenge_id) for challenge_id in challenge_ids]


class RoomByChallengeIdLoader(DataLoader[int, Room | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=_rooms_by_challenge_id)

"""DataLoaders of the chat domain."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from models.chat import Room
from resolvers.loaders import one_per_key


class RoomByChallengeIdLoader(DataLoader[int, Room | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=one_per_key(Room, "challenge_id"))

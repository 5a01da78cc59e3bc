"""DataLoaders of the accounts domain."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from models.accounts import Member
from resolvers.loaders import one_per_key


class MemberByIdLoader(DataLoader[int, Member | None]):
    def __init__(self) -> None:
        super().__init__(load_fn=one_per_key(Member))

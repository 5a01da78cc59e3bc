"""The per-request registry of DataLoaders: one of each loader class per request (or per
operation on a WebSocket), created on first use. The loaders themselves live with their
domain (``resolvers/<domain>/loaders.py``), each defined once."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from tortoise.models import Model

LoaderT = TypeVar("LoaderT", bound=DataLoader[Any, Any])
ModelT = TypeVar("ModelT", bound=Model)


def one_per_key(
    model: type[ModelT], field: str = "id"
) -> Callable[[Sequence[int]], Awaitable[list[ModelT | None]]]:
    """A batch function for an ``XByYLoader``: one ``filter(y__in=keys)`` query, the row of each
    key (or None) in key order."""

    async def load(keys: Sequence[int]) -> list[ModelT | None]:
        rows = await model.filter(**{f"{field}__in": list(set(keys))})
        found = {getattr(row, field): row for row in rows}
        return [found.get(key) for key in keys]

    return load


class Loaders:
    def __init__(self) -> None:
        self._loaders: dict[type[DataLoader[Any, Any]], DataLoader[Any, Any]] = {}

    def get(self, loader_class: type[LoaderT]) -> LoaderT:
        loader = self._loaders.get(loader_class)
        if loader is None:
            factory: Callable[[], LoaderT] = loader_class
            loader = self._loaders[loader_class] = factory()
        return loader  # type: ignore[return-value]

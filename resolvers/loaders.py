"""The per-request registry of DataLoaders: one of each loader class per request (or per
operation on a WebSocket), created on first use. The loaders themselves live with their
domain (``resolvers/<domain>/loaders.py``), each defined once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

LoaderT = TypeVar("LoaderT", bound=DataLoader[Any, Any])


class Loaders:
    def __init__(self) -> None:
        self._loaders: dict[type[DataLoader[Any, Any]], DataLoader[Any, Any]] = {}

    def get(self, loader_class: type[LoaderT]) -> LoaderT:
        loader = self._loaders.get(loader_class)
        if loader is None:
            factory: Callable[[], LoaderT] = loader_class
            loader = self._loaders[loader_class] = factory()
        return loader  # type: ignore[return-value]

"""The typed per-request (or per-WebSocket) context every resolver receives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.dataloader import DataLoader
from strawberry.types import Info as StrawberryInfo

from infra.errors import Unauthenticated
from infra.services import Services
from infra.settings import Settings
from infra.viewer import Viewer
from subscriptions.bus import Bus

LoaderT = TypeVar("LoaderT", bound=DataLoader[Any, Any])


class Loaders:
    """DataLoaders created on first use, one of each class per request (or operation)."""

    def __init__(self) -> None:
        self._loaders: dict[type[DataLoader[Any, Any]], DataLoader[Any, Any]] = {}

    def get(self, loader_class: type[LoaderT]) -> LoaderT:
        loader = self._loaders.get(loader_class)
        if loader is None:
            factory: Callable[[], LoaderT] = loader_class
            loader = self._loaders[loader_class] = factory()
        return loader  # type: ignore[return-value]


@dataclass
class Context:
    services: Services
    request: Request | WebSocket
    response: Response | None = None
    viewer: Viewer | None = None
    # Why a presented token was refused; fields that need a viewer then say so instead of
    # silently treating the caller as anonymous.
    auth_error: str | None = None
    client_ip: str = "unknown"
    request_id: str = ""
    connection_params: dict[str, Any] = field(default_factory=dict)
    loaders: Loaders = field(default_factory=Loaders)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def bus(self) -> Bus:
        return self.services.bus

    def require_viewer(self) -> Viewer:
        if self.viewer is None:
            raise Unauthenticated(self.auth_error or None)
        return self.viewer

    def loader(self, loader_class: type[LoaderT]) -> LoaderT:
        return self.loaders.get(loader_class)


Info = StrawberryInfo[Context, None]

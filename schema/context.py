"""The typed per-request (or per-WebSocket-operation) context every resolver receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.types import Info as StrawberryInfo

from infra.errors import Unauthenticated
from infra.services import Services
from infra.settings import Settings
from infra.viewer import Viewer
from resolvers.loaders import Loaders, LoaderT
from subscriptions.bus import Bus


@dataclass
class Context:
    services: Services
    bus: Bus
    request: Request | WebSocket
    response: Response | None = None
    viewer: Viewer | None = None
    # Why a presented token was refused; fields that need a viewer then say so instead of
    # silently treating the caller as anonymous. ``auth_refusal`` carries its reason.
    auth_error: str | None = None
    auth_refusal: Unauthenticated | None = None
    client_ip: str = "unknown"
    request_id: str = ""
    connection_params: dict[str, Any] = field(default_factory=dict)
    loaders: Loaders = field(default_factory=Loaders)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    def require_viewer(self) -> Viewer:
        if self.viewer is None:
            raise self.auth_refusal or Unauthenticated(self.auth_error or None)
        return self.viewer

    def loader(self, loader_class: type[LoaderT]) -> LoaderT:
        return self.loaders.get(loader_class)


Info = StrawberryInfo[Context, None]

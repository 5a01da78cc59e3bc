"""Declarative permission classes: they read the viewer from the context, never the database."""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from infra.errors import Unauthenticated
from schema.context import Info


class IsAuthenticated(BasePermission):
    message = "You need to log in."
    error_extensions = {"code": "UNAUTHENTICATED"}
    # Its outcome depends only on whether there is a viewer, not on which one: subscribers of a
    # guarded subscription (roomEvents) can still share one execution per event
    # (subscriptions.fanout.selection_audience).
    same_for_every_viewer = True

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        if info.context.viewer is None:
            # Raise our own error so an expired/invalid token says why.
            raise Unauthenticated(info.context.auth_error or self.message)
        return True

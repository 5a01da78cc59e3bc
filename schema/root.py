"""The root ``Query``, ``Mutation`` and ``Subscription``, merged from every domain module."""

from __future__ import annotations

from functools import lru_cache

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from infra.settings import Settings
from schema import accounts, chat, realtime
from schema.errors import format_error

# Every domain module may define ``Query``, ``Mutation`` and ``Subscription``.
DOMAINS = (accounts, chat, realtime)


def _merged(name: str) -> type | None:
    parts = tuple(getattr(domain, name) for domain in DOMAINS if hasattr(domain, name))
    return merge_types(name, parts) if parts else None


Query = _merged("Query")
Mutation = _merged("Mutation")
Subscription = _merged("Subscription")


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            format_error(error, execution_context)


def build_schema(settings: Settings) -> Schema:
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(disable_field_suggestions=not settings.field_suggestions),
    )


@lru_cache(maxsize=1)
def sdl() -> str:
    return build_schema(Settings()).as_str()

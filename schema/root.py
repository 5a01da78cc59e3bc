"""The root ``Query``, ``Mutation`` and ``Subscription``, merged from every domain module."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache, partial

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from infra.metrics import Metrics
from infra.settings import Settings
from schema import accounts, challenges, chat, notifications, presence, proofs, realtime
from schema.document_cache import DocumentCache
from schema.errors import format_error
from schema.limits.extension import OperationLimits
from schema.limits.validation_cache import ValidatedOperations
from schema.observability import OperationObserver
from schema.scalars import SCALAR_OVERRIDES
from subscriptions.executor import SubscriptionExecutor

# Every domain module may define ``Query``, ``Mutation`` and ``Subscription``.
DOMAINS = (accounts, challenges, proofs, notifications, chat, presence, realtime)


def _merged(name: str) -> type | None:
    parts = tuple(getattr(domain, name) for domain in DOMAINS if hasattr(domain, name))
    return merge_types(name, parts) if parts else None


def _root_query() -> type:
    query = _merged("Query")
    if query is None:
        raise RuntimeError("no domain module defines Query")
    return query


Query = _root_query()
Mutation = _merged("Mutation")
Subscription = _merged("Subscription")


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        for error in errors:
            format_error(error, execution_context)


def build_schema(
    settings: Settings,
    metrics: Metrics | None = None,
    *,
    subscription: type | None = Subscription,
) -> Schema:
    """The API's schema. ``subscription`` replaces the root Subscription (the WebSocket tests
    serve self-ticking test streams through the real app this way)."""
    # One validation cache per schema, as outcomes depend on its settings; parsed documents
    # are shared by every schema in the process (strawberry keeps them per cache size).
    extensions: list[Callable[[], SchemaExtension]] = [
        partial(MaxTokensLimiter, max_token_count=settings.max_query_tokens),
        DocumentCache,
        partial(OperationLimits, settings=settings, cache=ValidatedOperations()),
    ]
    if metrics is not None:
        extensions.append(partial(OperationObserver, metrics=metrics))
    return Schema(
        query=Query,
        mutation=Mutation,
        subscription=subscription,
        extensions=extensions,
        config=StrawberryConfig(
            disable_field_suggestions=not settings.field_suggestions,
            batching_config={"max_operations": settings.max_batch_size},
        ),
        scalar_overrides=SCALAR_OVERRIDES,
        execution_context_class=SubscriptionExecutor,
    )


@lru_cache(maxsize=1)
def sdl() -> str:
    return build_schema(Settings()).as_str()

"""Challenges-list baseline: plain graphql-core executing our own schema and resolvers.

The same resolvers and DataLoaders our server runs, minus Strawberry's HTTP view, extensions and
caches: parse + validate + execute per request with ``graphql.graphql`` and orjson out. It needs
the project's schema, so it measures whatever ``schema/`` holds when it starts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import orjson
from graphql import graphql
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from infra.settings import get_settings
from infra.tokens import InvalidToken, decode_access_token
from schema.context import Context
from schema.root import build_schema
from web.credentials import bearer_token
from web.services import build_runtime


def create_app() -> Starlette:
    settings = get_settings()
    runtime = build_runtime(settings)
    schema = build_schema(settings)._schema

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await runtime.open()
        try:
            yield
        finally:
            await runtime.close()

    async def health(request: Request) -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    async def execute(request: Request) -> Response:
        data = orjson.loads(await request.body())
        context = Context(services=runtime.services, bus=runtime.bus, request=request)
        token = bearer_token(request.headers.get("authorization"))
        if token:
            try:
                context.viewer = decode_access_token(token, settings)
            except InvalidToken:
                context.auth_error = "invalid token"
        result = await graphql(
            schema, data["query"], context_value=context, variable_values=data.get("variables")
        )
        body: dict[str, object] = {"data": result.data}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        return Response(orjson.dumps(body), media_type="application/json")

    return Starlette(
        routes=[Route("/health", health), Route("/graphql", execute, methods=["POST"])],
        lifespan=lifespan,
    )

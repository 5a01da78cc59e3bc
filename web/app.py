"""The Starlette app: routes, middleware and the lifespan that opens every service."""

from __future__ import annotations

import asyncio
import gc
import tomllib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import lru_cache
from pathlib import Path

from redis.exceptions import RedisError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from events import codec
from infra import db
from infra.metrics import CONTENT_TYPE, Metrics
from infra.settings import Settings, get_settings
from schema.root import Schema, build_schema
from web.graphql import GraphQLView
from web.middleware import HardeningMiddleware
from web.services import Runtime, build_runtime

ROOT = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def export_service_counters(metrics: Metrics, runtime: Runtime) -> None:
    """Counters the bus and the limiter keep, read by Prometheus at scrape time."""
    bus, limiter = runtime.bus, runtime.services.limiter
    metrics.read_counter(
        "eroom_bus_reconnects", "Reconnections of the event bus to its broker.", lambda: {(): bus.reconnects}
    )
    metrics.read_counter(
        "eroom_bus_events_published", "Events published on the bus.", lambda: {(): bus.published}
    )
    metrics.read_counter(
        "eroom_bus_events_delivered", "Events delivered to subscribers.", lambda: {(): bus.delivered}
    )
    metrics.read_counter(
        "eroom_bus_events_skipped",
        "Bus events (or their fields) skipped: unknown kinds, invalid or extra fields.",
        lambda: {(reason,): count for reason, count in codec.skipped.items()},
        labels=("reason",),
    )
    metrics.read_counter(
        "eroom_rate_limit_refused", "Operations refused by a rate limit.", lambda: {(): limiter.hits_refused}
    )


def create_app(
    settings: Settings | None = None,
    schema_factory: Callable[[Settings, Metrics], Schema] = build_schema,
) -> Starlette:
    settings = settings or get_settings()
    runtime = build_runtime(settings)
    metrics = Metrics()
    export_service_counters(metrics, runtime)
    view = GraphQLView(schema_factory(settings, metrics), runtime)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await runtime.open()
        # Start-up objects (schema, models, modules) never die: keep them out of every
        # collection, and collect less often (fan-out allocates many short-lived objects).
        gc.collect()
        gc.freeze()
        gc.set_threshold(settings.gc_threshold, 20, 50)
        try:
            yield
        finally:
            await view.connection_slots.close()
            await runtime.close()

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "version": version()})

    async def ready(request: Request) -> JSONResponse:
        problems: dict[str, str] = {}
        try:
            await asyncio.wait_for(db.ping(), timeout=3)
        except Exception as error:
            problems["database"] = type(error).__name__
        redis = runtime.services.redis
        if redis is not None:
            try:
                await asyncio.wait_for(redis.ping(), timeout=3)
            except (RedisError, OSError, TimeoutError) as error:
                problems["redis"] = type(error).__name__
        if problems:
            return JSONResponse({"status": "unavailable", "problems": problems}, status_code=503)
        return JSONResponse({"status": "ready", "version": version()})

    async def metrics_endpoint(request: Request) -> Response:
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    settings.media_dir.mkdir(parents=True, exist_ok=True)
    routes = [
        Route("/health", health),
        Route("/ready", ready),
        Route("/metrics", metrics_endpoint),
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        Mount("/media", StaticFiles(directory=settings.media_dir, check_dir=False), name="media"),
        Mount("/static", StaticFiles(directory=ROOT / "static", check_dir=False), name="static"),
    ]
    middleware = [
        Middleware(HardeningMiddleware, settings=settings, metrics=metrics),
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_credentials=True,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["authorization", "content-type", "x-request-id", "apollo-require-preflight"],
        ),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.runtime = runtime
    return app

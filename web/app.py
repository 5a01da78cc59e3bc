"""The Starlette app: routes, middleware and the lifespan that opens every service."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from events import codec
from infra.metrics import Metrics
from infra.settings import Settings, get_settings
from schema.root import Schema, build_schema
from web.graphql import GraphQLView
from web.health import health_routes
from web.middleware.access_log import AccessLog
from web.middleware.body_limits import BodyLimits
from web.middleware.csrf import CsrfPrevention
from web.middleware.headers import MediaHeaders, SecurityHeaders
from web.middleware.request_id import RequestId
from web.middleware.websockets import WebSockets
from web.services import Runtime, build_runtime

ROOT = Path(__file__).resolve().parents[1]


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


def routes(settings: Settings, view: GraphQLView, runtime: Runtime, metrics: Metrics) -> list[BaseRoute]:
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    return [
        *health_routes(runtime, metrics),
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        Mount("/media", StaticFiles(directory=settings.media_dir, check_dir=False), name="media"),
        Mount("/static", StaticFiles(directory=ROOT / "static", check_dir=False), name="static"),
    ]


def middleware(settings: Settings, metrics: Metrics) -> list[Middleware]:
    """Outermost first; why in this order is told in :mod:`web.middleware`."""
    return [
        Middleware(RequestId),
        Middleware(AccessLog, metrics=metrics),
        Middleware(SecurityHeaders),
        Middleware(BodyLimits, settings=settings),
        Middleware(MediaHeaders),
        Middleware(WebSockets, metrics=metrics),
        Middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_credentials=True,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=[
                "authorization",
                "content-type",
                "x-request-id",
                "apollo-require-preflight",
                "x-apollo-operation-name",
            ],
        ),
        Middleware(CsrfPrevention, settings=settings),
    ]


def lifespan(
    settings: Settings, runtime: Runtime, view: GraphQLView
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def run(app: Starlette) -> AsyncIterator[None]:
        await runtime.open()
        # Start-up objects (schema, models, modules) never die: keep them out of every
        # collection, and collect less often (fan-out allocates many short-lived objects).
        gc.collect()
        gc.freeze()
        gc.set_threshold(settings.gc_threshold, 20, 50)
        try:
            yield
        finally:
            await view.socket_sessions.close()
            await view.connection_slots.close()
            await runtime.close()

    return run


def create_app(
    settings: Settings | None = None,
    schema_factory: Callable[[Settings, Metrics], Schema] = build_schema,
) -> Starlette:
    settings = settings or get_settings()
    runtime = build_runtime(settings)
    metrics = Metrics()
    export_service_counters(metrics, runtime)
    view = GraphQLView(schema_factory(settings, metrics), runtime)
    app = Starlette(
        routes=routes(settings, view, runtime, metrics),
        middleware=middleware(settings, metrics),
        lifespan=lifespan(settings, runtime, view),
    )
    app.state.runtime = runtime
    return app

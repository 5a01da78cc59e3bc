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
from web.drain import Drain, DrainAware
from web.graphql import GraphQLView
from web.health import health_routes, version
from web.media import media_routes
from web.middleware.access_log import AccessLog
from web.middleware.body_limits import BodyLimits
from web.middleware.csrf import CsrfPrevention
from web.middleware.headers import MediaHeaders, SecurityHeaders
from web.middleware.request_id import RequestId
from web.middleware.websockets import ServerSend, WebSockets
from web.services import Runtime, build_runtime, database_pool
from web.tracing import Tracing, build_tracing
from web.webapp import webapp_routes

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
    queues = runtime.bus.queues
    metrics.read_counter(
        "eroom_subscription_queue_peak_events",
        "The most events any subscription's queue held (its bound: WS_SUBSCRIPTION_QUEUE).",
        lambda: {(): queues.peak},
    )
    metrics.read_counter(
        "eroom_subscription_overflows",
        "Full subscription queues: caught up from the database, or closed for being too slow.",
        lambda: {("caught_up",): queues.overflows, ("closed",): queues.too_slow},
        labels=("outcome",),
    )
    metrics.read_counter(
        "eroom_subscription_express_events",
        "Events handled by a waiting room stream's express lane (written to its socket, or rightly "
        "dropped) without its queue.",
        lambda: {(): queues.express},
    )
    metrics.read_counter(
        "eroom_subscription_events_dropped",
        "Live-only events (JOIN, LEAVE) dropped for subscribers whose queue was full.",
        lambda: {(): queues.dropped},
    )
    metrics.read_counter(
        "eroom_rate_limit_refused", "Operations refused by a rate limit.", lambda: {(): limiter.hits_refused}
    )
    metrics.read_gauge(
        "eroom_db_pool_connections",
        "Database pool connections by state: in_use, idle, and max (the pool's size limit).",
        database_pool,
        labels=("state",),
    )


def routes(
    settings: Settings, view: GraphQLView, runtime: Runtime, metrics: Metrics, drain: Drain
) -> list[BaseRoute]:
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    return [
        *health_routes(runtime, metrics, drain),
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        *media_routes(runtime),
        *webapp_routes(),
        Mount("/static", StaticFiles(directory=ROOT / "static", check_dir=False), name="static"),
    ]


def middleware(
    settings: Settings, metrics: Metrics, drain: Drain, tracing: Tracing | None
) -> list[Middleware]:
    """Outermost first; why in this order is told in :mod:`web.middleware`. Tracing, when on,
    wraps everything so that each request's logs carry its trace id."""
    return [
        Middleware(ServerSend),
        *([tracing.middleware()] if tracing else []),
        Middleware(DrainAware, drain=drain),
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
    settings: Settings, runtime: Runtime, view: GraphQLView, tracing: Tracing | None
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
            await view.admission.close()
            await runtime.close()
            if tracing is not None:
                tracing.close()

    return run


def create_app(
    settings: Settings | None = None,
    schema_factory: Callable[[Settings, Metrics], Schema] = build_schema,
) -> Starlette:
    settings = settings or get_settings()
    runtime = build_runtime(settings)
    metrics = Metrics(version())
    export_service_counters(metrics, runtime)
    schema = schema_factory(settings, metrics)
    tracing = build_tracing(settings, version())
    if tracing is not None:
        tracing.instrument(schema)
    view = GraphQLView(schema, runtime)
    drain = Drain()
    app = Starlette(
        routes=routes(settings, view, runtime, metrics, drain),
        middleware=middleware(settings, metrics, drain, tracing),
        lifespan=lifespan(settings, runtime, view, tracing),
    )
    app.state.runtime = runtime
    app.state.drain = drain  # web.drain.serve flips it on SIGTERM
    return app

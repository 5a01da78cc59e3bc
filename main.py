"""E-room: the Starlette app factory and the command line.

    python main.py [serve]        serve the API (HOST/PORT), migrating first on SQLite
    python main.py migrate        apply pending database migrations
    python main.py makemigrations write a migration for model changes
    python main.py seed           load idempotent demo data and print the demo logins
    python main.py schema         print the GraphQL SDL
    python main.py purge          delete notifications older than NOTIFICATION_RETENTION_DAYS
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
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
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from infra import db
from infra.http import GraphQLView
from infra.logging import configure_logging
from infra.metrics import Metrics
from infra.middleware import HardeningMiddleware
from infra.services import Services
from infra.settings import Settings, get_settings
from schema.root import Schema, build_schema

ROOT = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def create_app(
    settings: Settings | None = None,
    schema_factory: Callable[[Settings, Metrics], Schema] = build_schema,
) -> Starlette:
    settings = settings or get_settings()
    services = Services.create(settings)
    metrics = Metrics(services)
    view = GraphQLView(schema_factory(settings, metrics), services)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await services.open()
        # Start-up objects (schema, models, modules) never die: keep them out of every
        # collection, and collect less often (fan-out allocates many short-lived objects).
        gc.collect()
        gc.freeze()
        gc.set_threshold(settings.gc_threshold, 20, 50)
        try:
            yield
        finally:
            await view.connection_slots.close()
            await services.close()

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "version": version()})

    async def ready(request: Request) -> JSONResponse:
        problems: dict[str, str] = {}
        try:
            await asyncio.wait_for(db.ping(), timeout=3)
        except Exception as error:
            problems["database"] = type(error).__name__
        if services.redis is not None:
            try:
                await asyncio.wait_for(services.redis.ping(), timeout=3)
            except (RedisError, OSError, TimeoutError) as error:
                problems["redis"] = type(error).__name__
        if problems:
            return JSONResponse({"status": "unavailable", "problems": problems}, status_code=503)
        return JSONResponse({"status": "ready", "version": version()})

    settings.media_dir.mkdir(parents=True, exist_ok=True)
    routes = [
        Route("/health", health),
        Route("/ready", ready),
        Route("/metrics", metrics.endpoint),
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
        )
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.services = services
    return app


def serve(settings: Settings, factory: str = "main:create_app") -> None:
    import uvicorn

    uvicorn.run(
        factory,
        factory=True,
        host=settings.host,
        port=settings.port,
        ws_max_size=settings.ws_max_frame_bytes,
        ws_ping_interval=settings.ws_keepalive_interval,
        timeout_graceful_shutdown=10,
        log_config=None,
        proxy_headers=True,
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="main.py", description="E-room GraphQL API")
    parser.add_argument(
        "command",
        nargs="?",
        default="serve",
        choices=["serve", "migrate", "makemigrations", "seed", "schema", "purge"],
    )
    parser.add_argument(
        "--check", action="store_true", help="makemigrations: exit 1 when models need a migration"
    )
    args = parser.parse_args(argv)

    if args.command == "schema":
        from schema.root import sdl

        sys.stdout.write(sdl() + "\n")
        return 0

    settings = get_settings()
    configure_logging(settings.log_level, json_lines=settings.log_json)
    if args.command == "serve":
        serve(settings)
    elif args.command == "migrate":
        asyncio.run(db.migrate(settings))
    elif args.command == "makemigrations" and args.check:
        missing = asyncio.run(db.unmigrated_changes(settings))
        for name in missing:
            print(f"missing migration: {name}")
        return 1 if missing else 0
    elif args.command == "makemigrations":
        asyncio.run(db.make_migrations(settings))
    elif args.command == "seed":
        from resolvers.seed import seed

        asyncio.run(seed(settings))
    elif args.command == "purge":
        print(f"purged {asyncio.run(purge(settings))} notifications")
    return 0


async def purge(settings: Settings) -> int:
    """Retention, run from cron: one command per deployment, not a timer in every instance."""
    from resolvers.notifications.retention import purge_notifications

    await db.open_database(settings)
    try:
        return await purge_notifications(retention_days=settings.notification_retention_days)
    finally:
        await db.close_database()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

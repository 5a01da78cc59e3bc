"""The operators' endpoints: /health (the process is up, and its version), /ready (its database
and Redis answer, and it is not draining) and /metrics (Prometheus)."""

from __future__ import annotations

import asyncio
import tomllib
from functools import lru_cache
from pathlib import Path

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from infra import db
from infra.metrics import CONTENT_TYPE, Metrics
from web.drain import Drain
from web.services import Runtime

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
PROBE_TIMEOUT = 3


@lru_cache(maxsize=1)
def version() -> str:
    with PYPROJECT.open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "version": version()})


async def problems(runtime: Runtime) -> dict[str, str]:
    """What does not answer, by name, with the kind of error it gave."""
    found: dict[str, str] = {}
    try:
        await asyncio.wait_for(db.ping(), timeout=PROBE_TIMEOUT)
    except Exception as error:
        found["database"] = type(error).__name__
    redis = runtime.services.redis
    if redis is not None:
        try:
            await asyncio.wait_for(redis.ping(), timeout=PROBE_TIMEOUT)
        except (RedisError, OSError, TimeoutError) as error:
            found["redis"] = type(error).__name__
    return found


def health_routes(runtime: Runtime, metrics: Metrics, drain: Drain) -> list[Route]:
    async def ready(request: Request) -> JSONResponse:
        if drain.draining:  # shutting down: load balancers should send requests elsewhere
            return JSONResponse({"status": "draining"}, status_code=503)
        found = await problems(runtime)
        if found:
            return JSONResponse({"status": "unavailable", "problems": found}, status_code=503)
        return JSONResponse({"status": "ready", "version": version()})

    async def metrics_endpoint(request: Request) -> Response:
        # Each scrape checks readiness too, so Prometheus sees what /ready would say.
        metrics.ready.set(0 if drain.draining or await problems(runtime) else 1)
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    return [Route("/health", health), Route("/ready", ready), Route("/metrics", metrics_endpoint)]

"""``/app/``: the reference web app (clients/web), once ``make web`` has built it into
clients/web/dist/.

A single-page app: any path under /app/ that is not a built file gets index.html, and the app's
router shows the screen. A missing file that looks like one (``assets/...``, or a name with an
extension) is a 404 instead, so a stale page asking for an old bundle fails plainly instead of
getting HTML for JavaScript.

The policy is GraphiQL's kind: everything from this origin and nothing else. The build has no
inline script or style (Vite emits files), so no hashes are needed: scripts, styles and fonts
from 'self', images also from data: and blob: (a picked file's preview), fetches and
WebSockets back to this origin.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

BUILD = Path(__file__).resolve().parents[1] / "clients" / "web" / "dist"
PREFIX = "/app"
NOT_BUILT = (
    "The web app is not built. Run `make web` (npm ci, codegen and a Vite build of clients/web "
    "into clients/web/dist/), then reload."
)
# Vite puts a content hash in every name under assets/: such a file never changes.
IMMUTABLE = "public, max-age=31536000, immutable"


def content_security_policy(request: Request) -> str:
    socket = f"{'wss' if request.url.scheme == 'https' else 'ws'}://{request.url.netloc}"
    directives = {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'", socket],
        "manifest-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def built_file(build: Path, relative: str) -> Path | None:
    """The file of the build at ``relative``, or None; never anything outside the build."""
    parts = PurePosixPath(relative).parts
    if any(part in ("..", "") or part.startswith(".") for part in parts):
        return None
    candidate = build.joinpath(*parts)
    return candidate if parts and candidate.is_file() else None


def looks_like_a_file(relative: str) -> bool:
    name = PurePosixPath(relative).name
    return relative.startswith("assets/") or "." in name


def index(request: Request, build: Path) -> Response:
    page = build / "index.html"
    if not page.is_file():
        return PlainTextResponse(NOT_BUILT, status_code=404)
    return FileResponse(
        page,
        media_type="text/html",
        headers={"content-security-policy": content_security_policy(request), "cache-control": "no-cache"},
    )


def webapp_routes(build: Path = BUILD) -> list[BaseRoute]:
    async def serve(request: Request) -> Response:
        relative: str = request.path_params["path"]
        found = built_file(build, relative)
        if found is not None and found.name != "index.html":
            cache = IMMUTABLE if relative.startswith("assets/") else "no-cache"
            return FileResponse(found, headers={"cache-control": cache})
        if looks_like_a_file(relative) and found is None:
            return PlainTextResponse("Not Found", status_code=404)
        return index(request, build)

    async def slash(request: Request) -> Response:
        return RedirectResponse(f"{PREFIX}/", status_code=308)

    return [
        Route(PREFIX, slash, methods=["GET", "HEAD"]),
        Route(f"{PREFIX}/{{path:path}}", serve, methods=["GET", "HEAD"]),
    ]

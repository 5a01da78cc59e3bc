"""``/media/``: uploaded images.

Profile and challenge images are plain files. In production a proof's image is served by proof
(:mod:`resolvers.proofs.media`): public once the proof is approved, otherwise only by a signed,
unexpired URL; the folder of proof images is not served as plain files at all.
"""

from __future__ import annotations

import posixpath

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from resolvers.proofs import media
from web.services import Runtime


class PlainMedia(StaticFiles):
    """``MEDIA_DIR`` as static files, without the proof images folder."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if posixpath.normpath("/" + path).lstrip("/").split("/", 1)[0] == media.FOLDER:
            raise HTTPException(404)
        return await super().get_response(path, scope)


def proof_image(runtime: Runtime) -> Route:
    storage, clock = runtime.services.storage, runtime.services.clock

    async def serve(request: Request) -> Response:
        proof_id: int = request.path_params["proof_id"]
        key = media.image_key(request.path_params["name"])
        if key is None:
            return PlainTextResponse("Not Found", status_code=404)
        signature = request.query_params.get("signature")
        if signature is not None:
            expires = request.query_params.get("expires", "")
            if not storage.signature_valid(
                media.image_path(proof_id, key), expires, signature, now=clock.now()
            ):
                return PlainTextResponse("This link is invalid or has expired.", status_code=403)
        elif not await media.is_public_image(proof_id=proof_id, key=key):
            return PlainTextResponse("Not Found", status_code=404)
        path = storage.path(key)
        if not path.is_file():
            return PlainTextResponse("Not Found", status_code=404)
        return FileResponse(path)

    return Route(f"/media/{media.FOLDER}/{{proof_id:int}}/{{name}}", serve, methods=["GET", "HEAD"])


def media_routes(runtime: Runtime) -> list[BaseRoute]:
    settings = runtime.settings
    if not settings.is_production:
        return [Mount("/media", StaticFiles(directory=settings.media_dir, check_dir=False), name="media")]
    return [
        proof_image(runtime),
        Mount("/media", PlainMedia(directory=settings.media_dir, check_dir=False), name="media"),
    ]

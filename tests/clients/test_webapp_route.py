"""/app/: the built web app under its Content-Security-Policy, with client-side routes.

Against the shared server (which serves clients/web/dist/ as `make web` built it), plus a Starlette
app on an empty directory for the "not built yet" answer.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import httpx
from starlette.applications import Starlette

from tests.support.servers import AppServer
from web.webapp import NOT_BUILT, webapp_routes

BUNDLE_LIMIT = 300 * 1024  # gzip bytes of all JavaScript the app loads


def _directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_app_page_is_served_under_a_policy_of_this_origin_only(app: AppServer, web_app: Path) -> None:
    # given the built app
    # when a browser opens /app/
    response = httpx.get(f"{app.url}/app/")

    # then it gets the page, whose scripts, styles, fetches and sockets may only be this origin's
    assert response.status_code == 200
    assert '<div id="root">' in response.text
    policy = _directives(response.headers["content-security-policy"])
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'", f"ws://127.0.0.1:{app.port}"]
    assert policy["img-src"] == ["'self'", "data:", "blob:"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "<script>" not in response.text  # no inline script: nothing the policy would block


def test_client_side_route_gets_the_app_page(app: AppServer, web_app: Path) -> None:
    # given a deep link into the app (a challenge's chat tab), as a reload or a shared link
    # when it is opened
    response = httpx.get(f"{app.url}/app/challenges/42?tab=chat")

    # then the server answers with the app's page, for its router to show the screen
    assert response.status_code == 200
    assert response.text == (web_app / "index.html").read_text()
    assert "content-security-policy" in response.headers


def test_bare_app_path_redirects_to_the_slash(app: AppServer, web_app: Path) -> None:
    # when
    response = httpx.get(f"{app.url}/app")

    # then
    assert response.status_code == 308
    assert response.headers["location"] == "/app/"


def test_missing_asset_is_not_found_instead_of_the_page(app: AppServer, web_app: Path) -> None:
    # given a stale page asking for a bundle that a newer build replaced
    # when it is requested
    response = httpx.get(f"{app.url}/app/assets/index-0ld.js")

    # then it is a plain 404, not HTML served as JavaScript
    assert response.status_code == 404
    assert "<html" not in response.text


def test_built_asset_is_served_immutable(app: AppServer, web_app: Path) -> None:
    # given the built bundle
    bundle = next((web_app / "assets").glob("*.js"))

    # when it is requested
    response = httpx.get(f"{app.url}/app/assets/{bundle.name}")

    # then it is served with a long cache life (its name changes with its content)
    assert response.status_code == 200
    assert response.content == bundle.read_bytes()
    assert "immutable" in response.headers["cache-control"]
    assert response.headers["content-type"].startswith("text/javascript")


def test_build_files_outside_the_app_are_not_served(app: AppServer, web_app: Path) -> None:
    # when a path climbs out of the build, or names its stamp file
    stamps = [path.name for path in web_app.glob(".built-*")]
    responses = [httpx.get(f"{app.url}/app/{name}") for name in ["..%2F..%2Fpyproject.toml", *stamps]]

    # then nothing but the build's own files comes back
    assert [response.status_code for response in responses] == [404] * len(responses)


async def test_unbuilt_app_says_how_to_build_it(tmp_path: Path) -> None:
    # given a server whose build directory is empty
    transport = httpx.ASGITransport(app=Starlette(routes=webapp_routes(tmp_path)))

    # when a browser opens /app/
    async with httpx.AsyncClient(transport=transport, base_url="http://eroom.test") as client:
        response = await client.get("/app/")

    # then it is told to run `make web`
    assert response.status_code == 404
    assert response.text == NOT_BUILT


def test_bundle_is_under_300_kb_gzip(web_app: Path) -> None:
    # given the built app
    scripts = list((web_app / "assets").glob("*.js"))

    # when its JavaScript is compressed as a server would
    size = sum(len(gzip.compress(path.read_bytes(), compresslevel=9)) for path in scripts)

    # then the whole of it stays under the budget
    assert scripts
    assert size < BUNDLE_LIMIT, f"{size} bytes gzip"

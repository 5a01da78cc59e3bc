"""Our GraphiQL page (static/graphiql.html) and the Content-Security-Policy it is served under.

The page loads React and GraphiQL from this server's /static/vendor/ and boots them with one
inline script; the policy allows exactly that: scripts and styles from /static/vendor/ of the
origin that served the page, the page's own inline script and style by their SHA-256 hashes,
fetches and WebSockets back to that origin, and nothing else (no eval, no plugins, no frames).
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from pathlib import Path

from starlette.requests import Request

PAGE = Path(__file__).resolve().parents[1] / "static" / "graphiql.html"
_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL)


@cache
def graphiql_html() -> str:
    return PAGE.read_text(encoding="utf-8")


@cache
def inline_hashes(html: str) -> dict[str, tuple[str, ...]]:
    """CSP hash sources of the page's inline ``<script>`` and ``<style>`` blocks, by tag."""
    found: dict[str, list[str]] = {"script": [], "style": []}
    for tag, body in _INLINE.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        found[tag].append(f"'sha256-{digest}'")
    return {tag: tuple(sources) for tag, sources in found.items()}


def content_security_policy(request: Request, html: str) -> str:
    origin = f"{request.url.scheme}://{request.url.netloc}"
    socket = f"{'wss' if request.url.scheme == 'https' else 'ws'}://{request.url.netloc}"
    vendor = f"{origin}/static/vendor/"
    hashes = inline_hashes(html)
    directives = {
        "default-src": ["'none'"],
        "script-src": [vendor, *hashes["script"]],
        "style-src": [vendor, *hashes["style"]],
        "img-src": [origin, "data:"],
        "font-src": [vendor, "data:"],
        "connect-src": [origin, socket],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())

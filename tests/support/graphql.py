"""A small GraphQL-over-HTTP client for the tests (JSON and multipart uploads)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Result:
    status: int
    body: dict[str, Any]
    headers: httpx.Headers
    cookies: httpx.Cookies = field(default_factory=httpx.Cookies)

    @property
    def data(self) -> dict[str, Any]:
        return self.body.get("data") or {}

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or [])

    @property
    def error(self) -> dict[str, Any]:
        assert self.errors, f"expected an error, got {self.body}"
        return self.errors[0]

    @property
    def code(self) -> str | None:
        return self.errors[0].get("extensions", {}).get("code") if self.errors else None

    @property
    def field(self) -> str | None:
        return self.errors[0].get("extensions", {}).get("field") if self.errors else None

    def ok(self) -> dict[str, Any]:
        assert self.status == 200, (self.status, self.body)
        assert not self.errors, self.errors
        return self.data


class GraphQLClient:
    """Speaks to ``/graphql`` as one client (bearer token and/or cookie jar)."""

    def __init__(self, base_url: str, token: str | None = None, *, cookies: bool = True) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.http = httpx.AsyncClient(
            base_url=self.base_url, timeout=30, cookies=httpx.Cookies() if cookies else None
        )

    async def __aenter__(self) -> GraphQLClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"accept": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        return {**headers, **(extra or {})}

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        operation_name: str | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Result:
        """Run one operation. ``files`` maps a variable path (``"thumbnail"`` or
        ``"input.image"``) to ``(filename, content, content_type)``: sent per the GraphQL
        multipart request spec, as apollo-upload-client does."""
        payload: dict[str, Any] = {"query": query, "variables": dict(variables or {})}
        if operation_name:
            payload["operationName"] = operation_name
        if files:
            file_map: dict[str, list[str]] = {}
            parts: dict[str, tuple[str, bytes, str]] = {}
            for index, (path, upload) in enumerate(files.items()):
                _set_path(payload["variables"], path, None)
                file_map[str(index)] = [f"variables.{path}"]
                parts[str(index)] = upload
            response = await self.http.post(
                "/graphql",
                data={"operations": json.dumps(payload), "map": json.dumps(file_map)},
                files=parts,
                # as apollo-upload-client is told to: multipart needs no CORS preflight otherwise
                headers=self._headers({"apollo-require-preflight": "true", **(headers or {})}),
            )
        else:
            response = await self.http.post("/graphql", json=payload, headers=self._headers(headers))
        try:
            body = response.json()
        except ValueError:
            body = {"raw": response.text}
        return Result(
            status=response.status_code, body=body, headers=response.headers, cookies=response.cookies
        )


def _set_path(variables: dict[str, Any], path: str, value: object) -> None:
    *parents, last = path.split(".")
    target: Any = variables
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value

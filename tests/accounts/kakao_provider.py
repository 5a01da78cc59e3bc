"""A small OAuth2 provider on loopback that answers like Kakao's token and profile endpoints.

Tests register a profile under an authorization code. Special codes make the provider fail:
``fail-500`` answers 500 at the token endpoint, ``slow`` answers after ``SLOW_SECONDS``, and
unknown codes get an ``invalid_grant`` error, as Kakao does.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from tests.support.servers import free_port, wait_for_port

CLIENT_ID = "eroom-test-client"
CLIENT_SECRET = "eroom-test-secret"
SLOW_SECONDS = 5.0


class KakaoProvider:
    def __init__(self) -> None:
        self.port = free_port()
        self.profiles: dict[str, dict[str, Any]] = {}  # authorization code -> profile
        self._access: dict[str, dict[str, Any]] = {}  # access token -> profile
        self.token_requests: list[dict[str, str]] = []
        self._server = uvicorn.Server(
            uvicorn.Config(self._app(), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, timeout: float = 1.0) -> dict[str, str]:
        """Settings that point an app at this provider."""
        return {
            "KAKAO_CLIENT_ID": CLIENT_ID,
            "KAKAO_CLIENT_SECRET": CLIENT_SECRET,
            "KAKAO_REDIRECT_URI": "http://localhost:3000/oauth/kakao",
            "KAKAO_TOKEN_URL": f"{self.url}/oauth/token",
            "KAKAO_USERINFO_URL": f"{self.url}/v2/user/me",
            "KAKAO_TIMEOUT": str(timeout),
        }

    def add(
        self, kakao_id: int, *, nickname: str | None = None, email: str | None = None, verified: bool = True
    ) -> str:
        """Register a Kakao user; returns an authorization code that logs them in."""
        account: dict[str, Any] = {"profile": {"nickname": nickname}} if nickname else {}
        if email:
            account.update(email=email, is_email_valid=True, is_email_verified=verified)
        code = secrets.token_urlsafe(12)
        self.profiles[code] = {"id": kakao_id, "kakao_account": account}
        return code

    def start(self) -> None:
        self._thread.start()
        wait_for_port(self.port)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def _app(self) -> Starlette:
        async def token(request: Request) -> Response:
            form = {key: str(value) for key, value in (await request.form()).items()}
            self.token_requests.append(form)
            code = form.get("code", "")
            if code == "fail-500":
                return PlainTextResponse("upstream exploded", status_code=500)
            if code == "slow":
                await asyncio.sleep(SLOW_SECONDS)
            if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                return JSONResponse({"error": "invalid_client"}, status_code=401)
            profile = self.profiles.pop(code, None)  # codes are single-use
            if form.get("grant_type") != "authorization_code" or profile is None:
                return JSONResponse(
                    {"error": "invalid_grant", "error_description": "authorization code not found"},
                    status_code=400,
                )
            access = secrets.token_urlsafe(16)
            self._access[access] = profile
            return JSONResponse(
                {
                    "access_token": access,
                    "token_type": "bearer",
                    "expires_in": 21599,
                    "issued_at": int(time.time()),
                }
            )

        async def me(request: Request) -> Response:
            scheme, _, access = request.headers.get("authorization", "").partition(" ")
            profile = self._access.get(access) if scheme.lower() == "bearer" else None
            if profile is None:
                return JSONResponse(
                    {"msg": "this access token does not exist", "code": -401}, status_code=401
                )
            return JSONResponse(profile)

        return Starlette(routes=[Route("/oauth/token", token, methods=["POST"]), Route("/v2/user/me", me)])

"""Kakao login: the OAuth2 authorization-code exchange and the profile, through Authlib.

Every failure of the provider (an error answer, a 5xx, a timeout, a malformed profile) becomes
:class:`KakaoError`, which the accounts resolvers turn into UNAUTHENTICATED.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import authlib.deprecate  # type: ignore[import-untyped]  # noqa: F401 - sets its filter before ours
import httpx
from authlib.common.errors import AuthlibBaseError  # type: ignore[import-untyped]

from infra.settings import Settings

with warnings.catch_warnings():
    # Authlib warns that it prefers httpx2; plain httpx is what this project pins.
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import AsyncOAuth2Client  # type: ignore[import-untyped]


class KakaoError(Exception):
    """Kakao did not confirm who the user is."""


@dataclass(frozen=True, slots=True)
class KakaoProfile:
    kakao_id: str
    nickname: str | None
    email: str | None  # only when Kakao says it is verified


async def fetch_profile(settings: Settings, *, code: str, redirect_uri: str | None) -> KakaoProfile:
    """Exchange an authorization ``code`` for a token and read the member's Kakao profile."""
    client = AsyncOAuth2Client(
        client_id=settings.kakao_client_id,
        client_secret=settings.kakao_client_secret or None,
        token_endpoint_auth_method="client_secret_post",
        timeout=settings.kakao_timeout,
    )
    try:
        async with client:
            await client.fetch_token(
                settings.kakao_token_url,
                grant_type="authorization_code",
                code=code,
                redirect_uri=redirect_uri or settings.kakao_redirect_uri or None,
            )
            response = await client.get(settings.kakao_userinfo_url)
            response.raise_for_status()
            payload = response.json()
    except httpx.TimeoutException:
        raise KakaoError("Kakao did not answer in time. Try again.") from None
    except AuthlibBaseError as error:
        raise KakaoError(f"Kakao refused the login: {error.error}.") from None
    except (httpx.HTTPError, ValueError):
        raise KakaoError("Kakao login failed. Try again.") from None
    return _profile(payload)


def _profile(payload: object) -> KakaoProfile:
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), int | str):
        raise KakaoError("Kakao sent an unusable profile.")
    account: dict[str, Any] = payload.get("kakao_account") or {}
    profile: dict[str, Any] = account.get("profile") or {}
    properties: dict[str, Any] = payload.get("properties") or {}
    nickname = profile.get("nickname") or properties.get("nickname")
    email = account.get("email")
    verified = account.get("is_email_verified") is True and account.get("is_email_valid", True) is True
    return KakaoProfile(
        kakao_id=str(payload["id"]),
        nickname=str(nickname) if nickname else None,
        email=str(email).strip().lower() if email and verified else None,
    )

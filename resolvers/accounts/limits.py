"""Rate limits of the anonymous entry points (sign-up, log-in, codes), shared per client IP."""

from __future__ import annotations

from infra.services import Services


async def limit_anonymous(services: Services, client_ip: str) -> None:
    await services.limiter.hit(f"anonymous-ip:{client_ip}", services.settings.limit_anonymous_per_ip)


def login_failures_key(email: str) -> str:
    return f"login-failures:{email}"

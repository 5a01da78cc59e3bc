"""Rate limits of the entry points that guess or probe: anonymous calls per client IP, password
attempts per email or member, availability probes per client IP."""

from __future__ import annotations

from infra.services import Services


async def limit_anonymous(services: Services, client_ip: str) -> None:
    await services.limiter.hit(f"anonymous-ip:{client_ip}", services.settings.limit_anonymous_per_ip)


def login_failures_key(email: str) -> str:
    return f"login-failures:{email}"


def change_password_key(member_id: int) -> str:
    return f"change-password:{member_id}"


async def limit_availability(services: Services, client_ip: str) -> None:
    """emailAvailability and nicknameAvailability, counted together: they enumerate accounts."""
    await services.limiter.hit(f"availability-ip:{client_ip}", services.settings.limit_availability_per_ip)

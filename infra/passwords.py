"""Password hashing with Argon2id (argon2-cffi).

Hashing is deliberately slow, so it runs in a worker thread and never blocks the event loop.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from infra.settings import Settings


@dataclass(frozen=True, slots=True)
class Verification:
    valid: bool
    new_hash: str | None = None  # set when the stored hash used outdated parameters


def get_passwords(settings: Settings) -> Passwords:
    """The process's hasher for these cost parameters (built once: it hashes a decoy)."""
    return _passwords(settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism)


@lru_cache(maxsize=4)
def _passwords(time_cost: int, memory_cost: int, parallelism: int) -> Passwords:
    return Passwords(
        PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID)
    )


class Passwords:
    def __init__(self, hasher: PasswordHasher) -> None:
        self._hasher = hasher
        # Verified against when the email is unknown, so both failures take the same time.
        self._decoy = self._hasher.hash("decoy password, never matches")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, stored_hash: str | None, password: str) -> Verification:
        return await asyncio.to_thread(self._verify, stored_hash, password)

    def _verify(self, stored_hash: str | None, password: str) -> Verification:
        try:
            self._hasher.verify(stored_hash or self._decoy, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return Verification(valid=False)
        if stored_hash is None:
            return Verification(valid=False)
        if self._hasher.check_needs_rehash(stored_hash):
            return Verification(valid=True, new_hash=self._hasher.hash(password))
        return Verification(valid=True)

"""Domain errors. Raised anywhere below the schema; mapped to ``extensions.code`` in one place
(:mod:`schema.errors`)."""

from __future__ import annotations

from enum import Enum
from typing import ClassVar


class ErrorCode(str, Enum):
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    CONFLICT = "CONFLICT"
    RATE_LIMITED = "RATE_LIMITED"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"


class DomainError(Exception):
    """An expected failure with a client-facing message and a contract error code."""

    code: ClassVar[ErrorCode] = ErrorCode.INTERNAL_SERVER_ERROR
    default_message: ClassVar[str] = "Something went wrong."

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.field = field

    @property
    def extensions(self) -> dict[str, object]:
        extensions: dict[str, object] = {"code": self.code.value}
        if self.field is not None:
            extensions["field"] = self.field
        return extensions


class Unauthenticated(DomainError):
    code = ErrorCode.UNAUTHENTICATED
    default_message = "You need to log in."


class Forbidden(DomainError):
    code = ErrorCode.FORBIDDEN
    default_message = "You are not allowed to do this."


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND
    default_message = "Not found."


class BadInput(DomainError):
    code = ErrorCode.BAD_USER_INPUT
    default_message = "Invalid input."

    def __init__(self, message: str | None = None, *, field: str) -> None:
        super().__init__(message, field=field)


class Conflict(DomainError):
    code = ErrorCode.CONFLICT
    default_message = "This conflicts with existing data."


class RateLimited(DomainError):
    code = ErrorCode.RATE_LIMITED
    default_message = "Too many requests. Try again later."

    def __init__(self, retry_after: float, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after + 0.999))

    @property
    def extensions(self) -> dict[str, object]:
        return {**super().extensions, "retryAfter": self.retry_after}


class QueryTooComplex(DomainError):
    code = ErrorCode.QUERY_TOO_COMPLEX
    default_message = "The operation is too complex."

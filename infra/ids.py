"""Opaque ids and cursors.

Ids are the row's positive integer as a decimal string: opaque to clients, cheap to parse.
Cursors are url-safe base64 of ``kind:part:part`` so clients cannot confuse one kind of cursor
with another, and tampered cursors are rejected as ``BAD_USER_INPUT``, numbers no column can
hold (past a signed 64-bit integer) included.
"""

from __future__ import annotations

import base64
import binascii

from infra.errors import BadInput

MAX_ID = 2**63 - 1


def parse_id(value: str | int, *, field: str = "id") -> int:
    """The integer behind an opaque id, or ``BadInput`` naming ``field``."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 19:
        raise BadInput("Not a valid id.", field=field)
    number = int(text)
    if not 0 < number <= MAX_ID:
        raise BadInput("Not a valid id.", field=field)
    return number


def encode_cursor(kind: str, *parts: object) -> str:
    raw = ":".join([kind, *(str(part) for part in parts)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str, *, field: str = "after", parts: int = 1) -> list[str]:
    """The parts of a cursor of ``kind``; ``BadInput`` for anything else."""
    if len(cursor) > 200:
        raise BadInput("Invalid cursor.", field=field)
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded.encode("ascii")).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise BadInput("Invalid cursor.", field=field) from None
    found_kind, *found = raw.split(":")
    if found_kind != kind or len(found) != parts:
        raise BadInput("Invalid cursor.", field=field)
    return found


def cursor_number(part: str, *, field: str, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """A number read from a cursor, within ``minimum``..``maximum`` (what its column holds)."""
    digits = part.removeprefix("-")
    if not digits.isdigit() or len(digits) > 19:
        raise BadInput("Invalid cursor.", field=field)
    number = int(part)
    if not minimum <= number <= maximum:
        raise BadInput("Invalid cursor.", field=field)
    return number


def decode_int_cursor(cursor: str, kind: str, *, field: str = "after") -> int:
    (value,) = decode_cursor(cursor, kind, field=field)
    return cursor_number(value, field=field)

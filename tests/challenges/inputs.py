"""Inputs and files the challenge tests send."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from typing import Any

from infra.clock import Clock


def service_today() -> dt.date:
    """The server's calendar day: today in its TIMEZONE (the default, Asia/Seoul, in the tests)."""
    return Clock().today()


def challenge_input(**overrides: Any) -> dict[str, Any]:
    start = service_today() + dt.timedelta(days=1)
    values: dict[str, Any] = {
        "title": "Daily algorithms",
        "category": "IT",
        "description": "Solve one problem a day.",
        "startDate": start.isoformat(),
        "dueDate": (start + dt.timedelta(days=30)).isoformat(),
        "frequency": "DAILY",
        "authExplanation": "Screenshot of solution",
        "limitAttendance": 10,
    }
    values.update(overrides)
    return values


def png_bytes() -> bytes:
    """A real 1x1 PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")

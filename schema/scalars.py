"""Scalars of the contract: ``Date`` and ``DateTime`` (ISO-8601), ``Upload`` (multipart spec)."""

from __future__ import annotations

import datetime as dt
from typing import NewType

import strawberry
from strawberry.file_uploads import Upload

from infra.errors import BadInput


def _parse_date(value: object) -> dt.date:
    if not isinstance(value, str) or len(value) != 10:
        raise BadInput("Dates are ISO-8601 calendar dates like 2026-12-01.", field="date")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise BadInput("Dates are ISO-8601 calendar dates like 2026-12-01.", field="date") from None


def _serialize_datetime(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def _parse_datetime(value: object) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise BadInput("Timestamps are ISO-8601 with an offset.", field="dateTime") from None
    if parsed.tzinfo is None:
        raise BadInput("Timestamps are ISO-8601 with an offset.", field="dateTime")
    return parsed


Date = strawberry.scalar(
    NewType("Date", dt.date),
    name="Date",
    description='ISO-8601 calendar date, e.g. "2026-12-01"',
    serialize=lambda value: value.isoformat(),
    parse_value=_parse_date,
)

DateTime = strawberry.scalar(
    NewType("DateTime", dt.datetime),
    name="DateTime",
    description='ISO-8601 timestamp with offset, e.g. "2026-12-01T09:00:00+00:00"',
    serialize=_serialize_datetime,
    parse_value=_parse_datetime,
)

__all__ = ["Date", "DateTime", "Upload"]

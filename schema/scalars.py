"""Scalars of the contract: ``Date`` and ``DateTime`` (ISO-8601), ``Upload`` (multipart spec).

Types annotate fields with ``Date``/``DateTime`` (aliases of the stdlib types); the schema maps
those types to the stricter definitions below through ``scalar_overrides``, so a bad value is a
``BAD_USER_INPUT`` naming the variable, and a timestamp without an offset is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import TypeAlias

from strawberry.file_uploads import Upload
from strawberry.types.scalar import ScalarDefinition

Date: TypeAlias = dt.date
DateTime: TypeAlias = dt.datetime


def _parse_date(value: object) -> dt.date:
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError("Dates are ISO-8601 calendar dates like 2026-12-01.")
    return dt.date.fromisoformat(value)


def _serialize_datetime(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def _parse_datetime(value: object) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        raise ValueError("Timestamps are ISO-8601 with an offset.")
    return parsed


DATE = ScalarDefinition(
    name="Date",
    description='ISO-8601 calendar date, e.g. "2026-12-01"',
    specified_by_url=None,
    serialize=lambda value: value.isoformat(),
    parse_value=_parse_date,
    parse_literal=None,
)
DATE_TIME = ScalarDefinition(
    name="DateTime",
    description='ISO-8601 timestamp with offset, e.g. "2026-12-01T09:00:00+00:00"',
    specified_by_url=None,
    serialize=_serialize_datetime,
    parse_value=_parse_datetime,
    parse_literal=None,
)


def _parse_upload(value: object) -> object:
    # A file arrives only through the multipart request spec, as an object we can read;
    # anything else (a string, a number) is the client's mistake, not a server crash.
    if not callable(getattr(value, "read", None)):
        raise ValueError("Upload a file with a multipart request (GraphQL multipart request spec).")
    return value


def _upload_literal(node: object, variables: object = None) -> object:
    raise ValueError("Files cannot be written inline; send them as multipart variables.")


UPLOAD = ScalarDefinition(
    name="Upload",
    description="A file sent per the GraphQL multipart request spec (apollo-upload-client).",
    specified_by_url=None,
    serialize=lambda value: value,
    parse_value=_parse_upload,
    parse_literal=_upload_literal,
)

SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {
    dt.date: DATE,
    dt.datetime: DATE_TIME,
    Upload: UPLOAD,
}

__all__ = ["SCALAR_OVERRIDES", "Date", "DateTime", "Upload"]

"""The rules a challenge's fields obey, shared by create and update."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace

from infra.errors import BadInput
from models.challenges import Category

TITLE_MAX = 50
DESCRIPTION_MAX = 1000
AUTH_EXPLANATION_MAX = 25
FREQUENCY_MAX = 30
LIMIT_ATTENDANCE_MAX = 100


def today() -> dt.date:
    """The service's calendar day (UTC), used for "not in the past" and "past its due date"."""
    return dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True, slots=True)
class ChallengeFields:
    """Client-supplied challenge fields; ``None`` means "not given" (on update: unchanged)."""

    title: str | None = None
    category: Category | None = None
    description: str | None = None
    start_date: dt.date | None = None
    due_date: dt.date | None = None
    frequency: str | None = None
    auth_explanation: str | None = None
    limit_attendance: int | None = None

    def changes(self) -> dict[str, object]:
        return {name: value for name, value in self._items() if value is not None}

    def _items(self) -> list[tuple[str, object]]:
        return [(name, getattr(self, name)) for name in self.__slots__]


CHALLENGE_FIELD_NAMES = tuple(field.name for field in fields(ChallengeFields))


def _text(value: str | None, *, field: str, maximum: int, blank_ok: bool = False) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if not text and not blank_ok:
        raise BadInput(f"{field} must not be blank.", field=field)
    if len(text) > maximum:
        raise BadInput(f"{field} may be at most {maximum} characters.", field=field)
    return text


def clean(fields: ChallengeFields) -> ChallengeFields:
    """Trimmed fields, each within its own bounds; ``BadInput`` naming the first bad field."""
    if fields.limit_attendance is not None and not 1 <= fields.limit_attendance <= LIMIT_ATTENDANCE_MAX:
        raise BadInput(
            f"limitAttendance must be between 1 and {LIMIT_ATTENDANCE_MAX}.", field="limitAttendance"
        )
    return replace(
        fields,
        title=_text(fields.title, field="title", maximum=TITLE_MAX),
        description=_text(fields.description, field="description", maximum=DESCRIPTION_MAX, blank_ok=True),
        frequency=_text(fields.frequency, field="frequency", maximum=FREQUENCY_MAX),
        auth_explanation=_text(
            fields.auth_explanation, field="authExplanation", maximum=AUTH_EXPLANATION_MAX
        ),
    )


def check_dates(start_date: dt.date, due_date: dt.date, *, start_changed: bool) -> None:
    """The period is not reversed, and a new start date does not lie in the past."""
    if start_changed and start_date < today():
        raise BadInput("startDate must not be in the past.", field="startDate")
    if due_date < start_date:
        raise BadInput("dueDate must be on or after startDate.", field="dueDate")

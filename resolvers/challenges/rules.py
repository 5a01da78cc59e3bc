"""The rules a challenge's fields obey, shared by create and update."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from enum import StrEnum

from infra.errors import BadInput
from models.challenges import Category
from resolvers.challenges.schedule import Schedule, check_schedule, schedule_from_frequency

TITLE_MAX = 50
DESCRIPTION_MAX = 1000
AUTH_EXPLANATION_MAX = 25
FREQUENCY_MAX = 30
LIMIT_ATTENDANCE_MAX = 100


class ChallengeStatus(StrEnum):
    UPCOMING = "UPCOMING"
    ONGOING = "ONGOING"
    FINISHED = "FINISHED"


def status_on(today: dt.date, *, start_date: dt.date, due_date: dt.date) -> ChallengeStatus:
    """Where a challenge stands on the service's calendar day ``today`` (its first and last
    days are both ONGOING)."""
    if today < start_date:
        return ChallengeStatus.UPCOMING
    return ChallengeStatus.ONGOING if today <= due_date else ChallengeStatus.FINISHED


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
    schedule: Schedule | None = None

    def changes(self) -> dict[str, object]:
        found = {name: value for name, value in self._items() if value is not None}
        schedule = found.pop("schedule", None)
        if isinstance(schedule, Schedule):
            found.update(schedule_period=schedule.period, schedule_times=schedule.times)
        return found

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
    """Trimmed fields, each within its own bounds; ``BadInput`` naming the first bad field.

    The schedule is the one given, else the one a given frequency states (an unparseable
    frequency without a schedule is bad input); neither given (an update): unchanged.
    """
    if fields.limit_attendance is not None and not 1 <= fields.limit_attendance <= LIMIT_ATTENDANCE_MAX:
        raise BadInput(
            f"limitAttendance must be between 1 and {LIMIT_ATTENDANCE_MAX}.", field="limitAttendance"
        )
    frequency = _text(fields.frequency, field="frequency", maximum=FREQUENCY_MAX)
    schedule = fields.schedule
    if schedule is not None:
        check_schedule(schedule)
    elif frequency is not None:
        schedule = schedule_from_frequency(frequency)
    return replace(
        fields,
        title=_text(fields.title, field="title", maximum=TITLE_MAX),
        description=_text(fields.description, field="description", maximum=DESCRIPTION_MAX, blank_ok=True),
        frequency=frequency,
        auth_explanation=_text(
            fields.auth_explanation, field="authExplanation", maximum=AUTH_EXPLANATION_MAX
        ),
        schedule=schedule,
    )


def check_dates(start_date: dt.date, due_date: dt.date, *, start_changed: bool, today: dt.date) -> None:
    """The period is not reversed, and a new start date does not lie in the past (``today`` is
    the service's calendar day)."""
    if start_changed and start_date < today:
        raise BadInput("startDate must not be in the past.", field="startDate")
    if due_date < start_date:
        raise BadInput("dueDate must be on or after startDate.", field="dueDate")

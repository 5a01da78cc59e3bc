"""Strawberry inputs of the challenges domain: the list filter and the create/update fields."""

from __future__ import annotations

from dataclasses import replace

import strawberry

from resolvers.challenges import queries
from resolvers.challenges.rules import CHALLENGE_FIELD_NAMES, ChallengeFields
from schema.scalars import Date
from schema.types.challenges import Category
from schema.types.progress import ChallengeStatus, ScheduleInput


@strawberry.input
class ChallengeFilter:
    category: Category | None = None
    query: str | None = strawberry.field(
        default=None,
        description="Keyword over the title, the description and the category's names (Korean/English).",
    )
    joinable: bool | None = strawberry.field(
        default=None, description="true: only challenges with a free seat that have not ended."
    )
    status: ChallengeStatus | None = None

    def to_filter(self) -> queries.ChallengeFilter:
        return queries.ChallengeFilter(
            category=self.category, query=self.query, joinable=self.joinable, status=self.status
        )


def challenge_fields(source: CreateChallengeInput | UpdateChallengeInput) -> ChallengeFields:
    """The resolver-side fields of either input (they share names with ``ChallengeFields``)."""
    names = [name for name in CHALLENGE_FIELD_NAMES if name != "schedule"]
    fields = ChallengeFields(**{name: getattr(source, name) for name in names})
    return replace(fields, schedule=source.schedule.to_rule()) if source.schedule else fields


@strawberry.input
class CreateChallengeInput:
    title: str
    category: Category
    description: str
    start_date: Date
    due_date: Date
    frequency: str
    auth_explanation: str
    limit_attendance: int
    schedule: ScheduleInput | None = strawberry.field(
        default=None,
        description="When absent, parsed from frequency; an unparseable frequency without a schedule "
        "is BAD_USER_INPUT (field frequency).",
    )

    def to_fields(self) -> ChallengeFields:
        return challenge_fields(self)


@strawberry.input
class UpdateChallengeInput:
    """Only the given fields change."""

    title: str | None = None
    category: Category | None = None
    description: str | None = None
    start_date: Date | None = None
    due_date: Date | None = None
    frequency: str | None = None
    auth_explanation: str | None = None
    limit_attendance: int | None = None
    schedule: ScheduleInput | None = strawberry.field(
        default=None, description="When absent, a new frequency is parsed for one (as on create)."
    )

    def to_fields(self) -> ChallengeFields:
        return challenge_fields(self)

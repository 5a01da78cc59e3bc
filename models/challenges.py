"""Challenges and memberships."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.accounts import Member


class Category(str, Enum):
    IT = "IT"
    FOREIGN_LANGUAGE = "FOREIGN_LANGUAGE"
    MATH = "MATH"
    SCIENCE = "SCIENCE"
    HUMANITIES = "HUMANITIES"
    ARTS_AND_PHYSICAL_EDUCATION = "ARTS_AND_PHYSICAL_EDUCATION"
    ETC = "ETC"


class SchedulePeriod(str, Enum):
    """How often members must prove progress: every day, or ``times`` a week (ISO weeks)."""

    DAY = "DAY"
    WEEK = "WEEK"


class Role(str, Enum):
    LEADER = "LEADER"
    CHALLENGER = "CHALLENGER"


class Challenge(Model):
    id = fields.BigIntField(primary_key=True)
    title = fields.CharField(max_length=50)
    category = fields.CharEnumField(Category, max_length=32)
    description = fields.TextField()
    start_date = fields.DateField()
    due_date = fields.DateField()
    frequency = fields.CharField(max_length=30)  # display text; the schedule is what counts
    # Database defaults too: the columns are added to tables that already hold challenges.
    schedule_period = fields.CharEnumField(
        SchedulePeriod, max_length=8, default=SchedulePeriod.DAY, db_default=SchedulePeriod.DAY.value
    )
    schedule_times = fields.IntField(default=1, db_default=1)  # approved proofs required per period
    auth_explanation = fields.CharField(max_length=25)
    limit_attendance = fields.IntField()
    current_attendance = fields.IntField(default=0)  # changed only by conditional UPDATEs
    thumbnail = fields.CharField(max_length=255, null=True)  # storage key; default when null
    leader: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="led_challenges", on_delete=fields.CASCADE
    )
    # Written from the service's clock: set on create, and by every UPDATE that changes the row.
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now_add=True)
    # When every member's FINISHED notice was sent; the scheduler looks only at unset ones.
    finished_notified_at = fields.DatetimeField(null=True)

    class Meta:
        table = "challenge"
        indexes = (
            Index(fields=("created_at", "id")),
            Index(fields=("category", "created_at")),
            Index(fields=("current_attendance", "created_at")),
            Index(fields=("start_date", "id")),
            Index(fields=("due_date", "finished_notified_at")),
        )


class Membership(Model):
    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="memberships", on_delete=fields.CASCADE
    )
    challenge: fields.ForeignKeyRelation[Challenge] = fields.ForeignKeyField(
        "models.Challenge", related_name="memberships", on_delete=fields.CASCADE
    )
    role = fields.CharEnumField(Role, max_length=16)
    joined_at = fields.DatetimeField(auto_now_add=True)
    # The member's read position in the room's log (markRoomRead); None: unread since joined_at.
    read_seq = fields.BigIntField(null=True)

    class Meta:
        table = "membership"
        unique_together = (("member", "challenge"),)
        indexes = (Index(fields=("challenge_id", "joined_at")),)

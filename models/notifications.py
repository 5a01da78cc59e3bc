"""Notifications: stored first, then published; ``seq`` is per member and is the cursor."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.accounts import Member


class NotificationType(str, Enum):
    REGISTER = "REGISTER"
    APPROVE = "APPROVE"
    DENY = "DENY"
    REMINDER = "REMINDER"
    FINISHED = "FINISHED"


class Notification(Model):
    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="notifications", on_delete=fields.CASCADE
    )
    seq = fields.BigIntField()
    type = fields.CharEnumField(NotificationType, max_length=16)
    content = fields.CharField(max_length=255)
    # Plain ids, not foreign keys: a notification outlives the challenge or proof it is about.
    challenge_id = fields.BigIntField()
    proof_id = fields.BigIntField(null=True)
    read = fields.BooleanField(default=False)
    # Set on notices that must be sent once (a REMINDER per member, challenge and period, a
    # FINISHED per member and challenge): the unique index makes a second insert fail, whichever
    # instance or scheduler round attempts it.
    key = fields.CharField(max_length=64, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "notification"
        unique_together = (("member", "seq"),)
        indexes = (
            Index(fields=("member_id", "read", "seq")),
            Index(fields=("created_at",)),
        )

"""Proof posts reviewed by the challenge leader."""

from __future__ import annotations

from enum import Enum

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from models.accounts import Member
from models.challenges import Challenge


class ProofStatus(str, Enum):
    WAITING = "WAITING"
    APPROVED = "APPROVED"
    DENIED = "DENIED"


class Proof(Model):
    id = fields.BigIntField(primary_key=True)
    challenge: fields.ForeignKeyRelation[Challenge] = fields.ForeignKeyField(
        "models.Challenge", related_name="proofs", on_delete=fields.CASCADE
    )
    author: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="proofs", on_delete=fields.CASCADE
    )
    content = fields.CharField(max_length=500)
    image = fields.CharField(max_length=255, null=True)  # storage key
    video_url = fields.CharField(max_length=500, null=True)
    status = fields.CharEnumField(ProofStatus, max_length=16, default=ProofStatus.WAITING)
    # Written from the service's clock: set on create, and by every UPDATE that changes the row.
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "proof"
        indexes = (
            Index(fields=("challenge_id", "status", "id")),
            Index(fields=("challenge_id", "author_id", "id")),
            Index(fields=("author_id", "status")),
        )

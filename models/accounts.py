"""Members, email verification codes and refresh-token families."""

from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Member(Model):
    id = fields.BigIntField(primary_key=True)
    email = fields.CharField(max_length=254, null=True, unique=True)  # lower-cased
    nickname = fields.CharField(max_length=10)
    nickname_key = fields.CharField(max_length=10, unique=True)  # casefolded, for uniqueness
    password_hash = fields.CharField(max_length=255, null=True)  # null for Kakao-only members
    kakao_id = fields.CharField(max_length=64, null=True, unique=True)
    profile_image = fields.CharField(max_length=255, null=True)  # storage key; default when null
    bricks_count = fields.IntField(default=0)  # approved proofs, kept in step transactionally
    notification_seq = fields.BigIntField(default=0)  # last notification sequence number
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "member"

    @property
    def is_social(self) -> bool:
        return self.kakao_id is not None


class EmailVerification(Model):
    """The current sign-up code of an email address (a new request replaces it)."""

    id = fields.BigIntField(primary_key=True)
    email = fields.CharField(max_length=254, unique=True)
    code_hash = fields.CharField(max_length=128)
    expires_at = fields.DatetimeField()
    attempts = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "email_verification"


class TokenFamily(Model):
    """One login session: every refresh token rotated from the same login."""

    id = fields.BigIntField(primary_key=True)
    member: fields.ForeignKeyRelation[Member] = fields.ForeignKeyField(
        "models.Member", related_name="token_families", on_delete=fields.CASCADE
    )
    revoked_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "token_family"
        indexes = (Index(fields=("member_id", "revoked_at")),)


class RefreshToken(Model):
    id = fields.BigIntField(primary_key=True)
    family: fields.ForeignKeyRelation[TokenFamily] = fields.ForeignKeyField(
        "models.TokenFamily", related_name="tokens", on_delete=fields.CASCADE
    )
    token_hash = fields.CharField(max_length=64, unique=True)  # sha256 hex of the opaque token
    expires_at = fields.DatetimeField()
    rotated_at = fields.DatetimeField(null=True)  # set once it has been exchanged
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "refresh_token"

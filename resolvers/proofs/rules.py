"""Rules every proof write shares: input checks, who may act, and keeping bricks in step."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F

from infra.errors import BadInput, Forbidden, NotFound
from models.accounts import Member
from models.challenges import Challenge, Membership, Role
from models.proofs import Proof

MAX_CONTENT = 500
MAX_VIDEO_URL = 500


@dataclass(frozen=True, slots=True)
class ProofDraft:
    """Validated ``ProofInput``."""

    content: str
    video_url: str | None


def check_input(*, content: str, video_url: str | None) -> ProofDraft:
    content = content.strip()
    if not 1 <= len(content) <= MAX_CONTENT:
        raise BadInput(f"Write 1 to {MAX_CONTENT} characters.", field="content")
    if video_url is not None:
        video_url = video_url.strip() or None
    if video_url is not None:
        parts = urlsplit(video_url)
        if (
            len(video_url) > MAX_VIDEO_URL
            or parts.scheme not in ("http", "https")
            or not parts.netloc
            or any(char.isspace() for char in video_url)
        ):
            raise BadInput(f"Give an http(s) URL of at most {MAX_VIDEO_URL} characters.", field="videoUrl")
    return ProofDraft(content=content, video_url=video_url)


async def get_challenge(challenge_id: int) -> Challenge:
    challenge = await Challenge.get_or_none(id=challenge_id)
    if challenge is None:
        raise NotFound("This challenge does not exist.")
    return challenge


async def get_proof(proof_id: int) -> Proof:
    proof = await Proof.get_or_none(id=proof_id).select_related("challenge")
    if proof is None:
        raise NotFound("This proof does not exist.")
    return proof


async def require_member(*, challenge_id: int, member_id: int) -> Role:
    role = (
        await Membership.filter(challenge_id=challenge_id, member_id=member_id)
        .first()
        .values_list("role", flat=True)
    )
    if role is None:
        raise Forbidden("Only members of this challenge can post proofs.")
    return Role(role)


async def add_bricks(connection: BaseDBAsyncClient, *, member_id: int, delta: int) -> None:
    """Move a member's brick count by ``delta`` inside the caller's transaction.

    Callers pass a delta only when their own conditional UPDATE/DELETE of the proof's status
    touched a row, so concurrent reviews of one proof can never count it twice.
    """
    await Member.filter(id=member_id).using_db(connection).update(bricks_count=F("bricks_count") + delta)

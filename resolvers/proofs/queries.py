"""Read side of proofs: who sees which proofs of a challenge, paged newest first.

Visibility (decided here, once, for every reader of proofs):

* the challenge's leader sees every proof, whatever its status;
* a member sees every APPROVED proof plus their own proofs in any status;
* anyone else (an authenticated non-member or an anonymous visitor) sees APPROVED proofs
  only. Approved proofs are the challenge's public track record, which is what a visitor
  weighs before joining; waiting and denied ones stay between the author and the leader.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q

from infra.ids import decode_int_cursor, encode_cursor
from infra.paging import page_size
from models.challenges import Membership, Role
from models.proofs import Proof, ProofStatus

CURSOR_KIND = "p"


def proof_cursor(proof_id: int) -> str:
    return encode_cursor(CURSOR_KIND, proof_id)


@dataclass(frozen=True, slots=True)
class ProofPage:
    proofs: list[Proof]
    total_count: int
    has_next_page: bool
    has_previous_page: bool


def visible_proofs(*, challenge_id: int, viewer_id: int | None, role: Role | None) -> Q:
    """The filter of the proofs of ``challenge_id`` that a viewer with ``role`` may see."""
    in_challenge = Q(challenge_id=challenge_id)
    if role is Role.LEADER:
        return in_challenge
    if role is Role.CHALLENGER and viewer_id is not None:
        return in_challenge & (Q(status=ProofStatus.APPROVED) | Q(author_id=viewer_id))
    return in_challenge & Q(status=ProofStatus.APPROVED)


async def list_proofs(
    *,
    challenge_id: int,
    viewer_id: int | None,
    role: Role | None,
    status: ProofStatus | None,
    first: int,
    after: str | None,
) -> ProofPage:
    page_size(first, field="first")
    visible = visible_proofs(challenge_id=challenge_id, viewer_id=viewer_id, role=role)
    if status is not None:
        visible &= Q(status=status)
    page_filter = visible
    if after is not None:
        page_filter &= Q(id__lt=decode_int_cursor(after, CURSOR_KIND))
    # Ids grow with insertion, so ``id DESC`` is newest first and a stable keyset order.
    rows = await Proof.filter(page_filter).order_by("-id").limit(first + 1)
    total = await Proof.filter(visible).count()
    return ProofPage(
        proofs=rows[:first],
        total_count=total,
        has_next_page=len(rows) > first,
        has_previous_page=after is not None,
    )


async def get_visible_proof(*, proof_id: int, viewer_id: int | None) -> Proof | None:
    """One proof, or None when it does not exist or this viewer may not see it."""
    proof = await Proof.get_or_none(id=proof_id)
    if proof is None:
        return None
    challenge_id: int = proof.challenge_id  # type: ignore[attr-defined]
    role: Role | None = None
    if viewer_id is not None:
        membership = await Membership.get_or_none(challenge_id=challenge_id, member_id=viewer_id)
        role = membership.role if membership else None
    visible = visible_proofs(challenge_id=challenge_id, viewer_id=viewer_id, role=role)
    return proof if await Proof.filter(visible, id=proof_id).exists() else None

"""Strawberry types of the proofs domain, and the ``Challenge.proofs`` connection."""

from __future__ import annotations

from enum import Enum

import strawberry

from models import proofs as models
from models.challenges import Role
from resolvers.challenges.loaders import ChallengeByIdLoader
from resolvers.proofs import media, queries
from resolvers.proofs.loaders import RoleByChallengeMemberLoader
from schema.context import Info
from schema.marks import PAGE, SHAREABLE, shareable
from schema.scalars import DateTime
from schema.types.accounts import Member, member_by_id
from schema.types.challenges import Challenge
from schema.types.pagination import PageInfo

ProofStatus = models.ProofStatus
strawberry.enum(ProofStatus, name="ProofStatus")


@strawberry.enum
class ProofDecision(Enum):
    APPROVED = "APPROVED"
    DENIED = "DENIED"

    @property
    def status(self) -> models.ProofStatus:
        return models.ProofStatus(self.value)


@strawberry.input
class ProofInput:
    content: str
    video_url: str | None = None


@strawberry.type(description="A member's evidence of progress (인증), reviewed by the leader.")
class Proof:
    id: strawberry.ID
    content: str
    video_url: str | None
    status: ProofStatus
    created_at: DateTime
    updated_at: DateTime
    _image: strawberry.Private[str | None]
    _author_id: strawberry.Private[int]
    _challenge_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, proof: models.Proof) -> Proof:
        return cls(
            id=strawberry.ID(str(proof.id)),
            content=proof.content,
            video_url=proof.video_url,
            status=proof.status,
            created_at=proof.created_at,
            updated_at=proof.updated_at,
            _image=proof.image,
            _author_id=proof.author_id,  # type: ignore[attr-defined]
            _challenge_id=proof.challenge_id,  # type: ignore[attr-defined]
        )

    @strawberry.field(
        description="Public once the proof is approved; until then (in production) a signed URL that "
        "expires after MEDIA_URL_TTL seconds, given only to viewers who may see the proof.",
        metadata=SHAREABLE,
    )
    def image_url(self, info: Info) -> str | None:
        if not self._image:
            return None
        services = info.context.services
        return media.image_url(
            services.storage,
            proof_id=int(self.id),
            key=self._image,
            status=self.status,
            production=services.settings.is_production,
            now=services.clock.now(),
        )

    @strawberry.field(metadata=SHAREABLE)
    async def author(self, info: Info) -> Member:
        return await member_by_id(info, self._author_id)

    @strawberry.field(metadata=SHAREABLE)
    async def challenge(self, info: Info) -> Challenge:
        challenge = await info.context.loader(ChallengeByIdLoader).load(self._challenge_id)
        assert challenge is not None  # challenge_id is a foreign key
        return Challenge.from_model(challenge)


@strawberry.type
class ProofEdge:
    cursor: str
    node: Proof


@strawberry.type
class ProofConnection:
    edges: list[ProofEdge] = strawberry.field(metadata=PAGE)
    page_info: PageInfo
    total_count: int

    @strawberry.field(metadata=shareable(page=True))
    def nodes(self) -> list[Proof]:
        return [edge.node for edge in self.edges]


async def challenge_proofs(
    info: Info,
    *,
    challenge_id: int,
    leader_id: int,
    status: models.ProofStatus | None,
    first: int,
    after: str | None,
) -> ProofConnection:
    """``Challenge.proofs``: the page of the challenge's proofs this viewer may see."""
    viewer = info.context.viewer
    role: Role | None = None
    if viewer is not None:
        if viewer.id == leader_id:
            role = Role.LEADER
        else:
            role = await info.context.loader(RoleByChallengeMemberLoader).load((challenge_id, viewer.id))
    page = await queries.list_proofs(
        challenge_id=challenge_id,
        viewer_id=viewer.id if viewer else None,
        role=role,
        status=status,
        first=first,
        after=after,
    )
    edges = [
        ProofEdge(cursor=queries.proof_cursor(proof.id), node=Proof.from_model(proof))
        for proof in page.proofs
    ]
    return ProofConnection(
        edges=edges,
        total_count=page.total_count,
        page_info=PageInfo.of(
            edges,
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
        ),
    )

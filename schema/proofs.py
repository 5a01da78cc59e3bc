"""Root fields of the proofs domain: posting, editing, deleting and reviewing proofs.

Who may see which proofs is decided in :mod:`resolvers.proofs.queries` (leader: all;
member: approved plus their own; everyone else: approved only).
"""

from __future__ import annotations

from typing import cast

import strawberry

from infra.ids import parse_id
from infra.storage import UploadFile
from resolvers.proofs import mutations, queries
from schema.context import Info
from schema.permissions import IsAuthenticated
from schema.scalars import Upload
from schema.types.proofs import Proof, ProofDecision, ProofInput


def _upload(image: Upload | None) -> UploadFile | None:
    # Strawberry types Upload as bytes; over multipart, Starlette hands us an UploadFile.
    return cast("UploadFile | None", image)


@strawberry.type
class Query:
    @strawberry.field(description="A proof, or null when it does not exist or is not visible to the viewer.")
    async def proof(self, info: Info, id: strawberry.ID) -> Proof | None:
        viewer = info.context.viewer
        proof = await queries.get_visible_proof(
            proof_id=parse_id(id), viewer_id=viewer.id if viewer else None
        )
        return Proof.from_model(proof) if proof else None


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def create_proof(
        self, info: Info, challenge_id: strawberry.ID, input: ProofInput, image: Upload | None = None
    ) -> Proof:
        proof = await mutations.create_proof(
            services=info.context.services,
            viewer=info.context.require_viewer(),
            challenge_id=parse_id(challenge_id, field="challengeId"),
            content=input.content,
            video_url=input.video_url,
            image=_upload(image),
        )
        return Proof.from_model(proof)

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def update_proof(
        self, info: Info, id: strawberry.ID, input: ProofInput, image: Upload | None = None
    ) -> Proof:
        proof = await mutations.update_proof(
            services=info.context.services,
            viewer=info.context.require_viewer(),
            proof_id=parse_id(id),
            content=input.content,
            video_url=input.video_url,
            image=_upload(image),
        )
        return Proof.from_model(proof)

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def delete_proof(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        deleted = await mutations.delete_proof(
            services=info.context.services,
            viewer=info.context.require_viewer(),
            proof_id=parse_id(id),
        )
        return strawberry.ID(str(deleted))

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def review_proof(self, info: Info, id: strawberry.ID, decision: ProofDecision) -> Proof:
        proof = await mutations.review_proof(
            services=info.context.services,
            viewer=info.context.require_viewer(),
            proof_id=parse_id(id),
            decision=decision.status,
        )
        return Proof.from_model(proof)

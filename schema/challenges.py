"""Root fields of the challenges domain."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import cast

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from infra.ids import parse_id
from infra.storage import UploadFile
from resolvers.challenges import queries
from resolvers.challenges.create_challenge import create_challenge
from resolvers.challenges.delete_challenge import delete_challenge
from resolvers.challenges.join_challenge import join_challenge
from resolvers.challenges.leave_challenge import leave_challenge
from resolvers.challenges.loaders import ChallengeByIdLoader, MembershipsByChallengeIdLoader
from resolvers.challenges.update_challenge import update_challenge
from schema.context import Info
from schema.permissions import IsAuthenticated
from schema.scalars import Upload
from schema.types.challenge_connection import ChallengeConnection
from schema.types.challenge_inputs import ChallengeFilter, CreateChallengeInput, UpdateChallengeInput
from schema.types.challenges import Challenge, ChallengeSort, Membership

DEFAULT_PAGE_SIZE = 12  # the original frontend's page of cards
# Challenge fields answered from the challenge's memberships.
MEMBERSHIP_FIELDS = frozenset({"leader", "memberships", "viewerRole"})


def _fields(selections: Sequence[Selection]) -> Iterator[SelectedField]:
    """The fields of one selection level, fragments expanded."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        else:
            yield from _fields(selection.selections)


def _node_fields(info: Info) -> Iterator[SelectedField]:
    """The fields selected on the connection's challenges (``nodes`` and ``edges.node``)."""
    for root in info.selected_fields:
        for field in _fields(root.selections):
            if field.name == "nodes":
                yield from _fields(field.selections)
            elif field.name == "edges":
                for edge_field in _fields(field.selections):
                    if edge_field.name == "node":
                        yield from _fields(edge_field.selections)


async def _preload_memberships(info: Info, connection: ChallengeConnection) -> None:
    """Load the page's memberships in one batch before the challenges resolve, when selected,
    so that their ``leader``, ``memberships`` and ``viewerRole`` complete without awaiting."""
    nodes = [edge.node for edge in connection.edges]
    if not nodes or not any(field.name in MEMBERSHIP_FIELDS for field in _node_fields(info)):
        return
    loaded = await info.context.loader(MembershipsByChallengeIdLoader).load_many([int(n.id) for n in nodes])
    for node, rows in zip(nodes, loaded, strict=True):
        node._memberships = rows


def _upload(value: Upload | None) -> UploadFile | None:
    # Strawberry types Upload as bytes; at run time it is Starlette's UploadFile.
    return cast(UploadFile, value) if value is not None else None


@strawberry.type
class Query:
    @strawberry.field
    async def challenge(self, info: Info, id: strawberry.ID) -> Challenge | None:
        challenge = await info.context.loader(ChallengeByIdLoader).load(parse_id(id))
        return Challenge.from_model(challenge) if challenge else None

    @strawberry.field(
        description="Search and list challenges: Relay cursors (`after`) or numbered pages (`page`, "
        "1-based, `first` per page)."
    )
    async def challenges(
        self,
        info: Info,
        filter: ChallengeFilter | None = None,
        sort: ChallengeSort | None = queries.ChallengeSort.LATEST,
        first: int | None = DEFAULT_PAGE_SIZE,
        after: str | None = None,
        page: int | None = None,
    ) -> ChallengeConnection:
        result = await queries.list_challenges(
            where=filter.to_filter() if filter else queries.ChallengeFilter(),
            sort=sort or queries.ChallengeSort.LATEST,
            first=DEFAULT_PAGE_SIZE if first is None else first,
            after=after,
            page=page,
            today=info.context.services.clock.today(),
        )
        connection = ChallengeConnection.from_page(result)
        await _preload_memberships(info, connection)
        return connection


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def create_challenge(
        self, info: Info, input: CreateChallengeInput, thumbnail: Upload | None = None
    ) -> Challenge:
        challenge = await create_challenge(
            services=info.context.services,
            viewer=info.context.require_viewer(),
            fields=input.to_fields(),
            thumbnail=_upload(thumbnail),
        )
        return Challenge.from_model(challenge)

    @strawberry.mutation(permission_classes=[IsAuthenticated], description="Leader only.")
    async def update_challenge(
        self, info: Info, id: strawberry.ID, input: UpdateChallengeInput, thumbnail: Upload | None = None
    ) -> Challenge:
        challenge = await update_challenge(
            services=info.context.services,
            viewer=info.context.require_viewer(),
            challenge_id=parse_id(id),
            fields=input.to_fields(),
            thumbnail=_upload(thumbnail),
        )
        return Challenge.from_model(challenge)

    @strawberry.mutation(permission_classes=[IsAuthenticated], description="Leader only.")
    async def delete_challenge(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        deleted = await delete_challenge(
            services=info.context.services, viewer=info.context.require_viewer(), challenge_id=parse_id(id)
        )
        return strawberry.ID(str(deleted))

    @strawberry.mutation(permission_classes=[IsAuthenticated])
    async def join_challenge(self, info: Info, id: strawberry.ID) -> Membership:
        membership = await join_challenge(
            services=info.context.services, viewer=info.context.require_viewer(), challenge_id=parse_id(id)
        )
        return Membership.from_model(membership)

    @strawberry.mutation(
        permission_classes=[IsAuthenticated], description="Members only; the leader cannot leave."
    )
    async def leave_challenge(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        left = await leave_challenge(
            services=info.context.services, viewer=info.context.require_viewer(), challenge_id=parse_id(id)
        )
        return strawberry.ID(str(left))

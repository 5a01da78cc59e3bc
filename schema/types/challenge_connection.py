"""The challenges list's Relay connection."""

from __future__ import annotations

import strawberry

from resolvers.challenges import queries
from schema.marks import PAGE, SHAREABLE, shareable
from schema.types.challenges import Challenge
from schema.types.pagination import PageInfo


@strawberry.type
class ChallengeEdge:
    cursor: str
    node: Challenge


@strawberry.type
class ChallengeConnection:
    edges: list[ChallengeEdge] = strawberry.field(metadata=PAGE)
    page_info: PageInfo
    _page: strawberry.Private[queries.ChallengePage]

    @strawberry.field(metadata=SHAREABLE)
    async def total_count(self) -> int:
        return await self._page.total_count()

    @strawberry.field(metadata=shareable(page=True))
    def nodes(self) -> list[Challenge]:
        return [edge.node for edge in self.edges]

    @classmethod
    def from_page(cls, page: queries.ChallengePage) -> ChallengeConnection:
        edges = [ChallengeEdge(cursor=cursor, node=Challenge.from_model(row)) for cursor, row in page.rows]
        return cls(
            edges=edges,
            page_info=PageInfo.of(
                edges,
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
            ),
            _page=page,
        )

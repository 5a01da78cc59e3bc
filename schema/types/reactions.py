"""A message's reactions as GraphQL sees them: one count per emoji."""

from __future__ import annotations

import strawberry

from resolvers.chat.loaders import ReactionCount as ReactionCountRow
from schema.marks import PER_VIEWER


@strawberry.type
class ReactionCount:
    emoji: str
    count: int
    _viewer_reacted: strawberry.Private[bool]

    @strawberry.field(metadata=PER_VIEWER)  # whether the viewer is among the reactors
    def viewer_reacted(self) -> bool:
        return self._viewer_reacted

    @classmethod
    def of(cls, row: ReactionCountRow) -> ReactionCount:
        return cls(emoji=row.emoji, count=row.count, _viewer_reacted=row.viewer_reacted)

"""Aliases: at most ``MAX_ALIASES_PER_FIELD`` of one field and ``MAX_ALIASES`` in total.

Aliases let one request run the same field many times; a wall of them stays shallow and cheap
by the depth measure, so they are capped on their own. They are counted where they run: an
aliased field in a fragment counts once per place the fragment is spread.
"""

from __future__ import annotations

from collections import Counter

from graphql import FieldNode, GraphQLError

from infra.settings import Settings
from schema.errors import too_complex


class AliasCount:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.per_field: Counter[str] = Counter()
        self.total = 0

    def add(self, node: FieldNode) -> GraphQLError | None:
        """Count ``node`` if it is aliased; the error once a limit is passed."""
        if node.alias is None:
            return None
        name = node.name.value
        self.total += 1
        self.per_field[name] += 1
        if self.per_field[name] > self.settings.max_aliases_per_field:
            return too_complex(f"More than {self.settings.max_aliases_per_field} aliases of `{name}`.", node)
        if self.total > self.settings.max_aliases:
            return too_complex(f"More than {self.settings.max_aliases} aliases.", node)
        return None

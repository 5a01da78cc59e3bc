"""How many items each introspection list holds, read from the schema itself.

Introspection answers from the schema, so its lists are as long as the schema makes them: at
most the largest (``per_parent``) under any one parent, and never more than the schema holds in
all (``total``) under parents that are all different, as ``__schema { types { fields } } }``
lists each type's fields once. ``owned`` lists (a type's fields, a field's arguments) hold
different items for different parents; ``interfaces`` and ``possibleTypes`` may repeat a type.
"""

from __future__ import annotations

from collections.abc import Iterable, Sized
from dataclasses import dataclass
from functools import lru_cache

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    is_abstract_type,
)


@dataclass(frozen=True, slots=True)
class ListBound:
    per_parent: int
    total: int
    owned: bool

    def items(self, parents: int, *, distinct: bool) -> int:
        """At most how many items ``parents`` parents hold together."""
        most = parents * self.per_parent
        return min(most, self.total) if distinct and self.owned else most


def _bound(sizes: Iterable[Sized], *, owned: bool = True) -> ListBound:
    counts = [len(items) for items in sizes]
    return ListBound(per_parent=max(counts, default=0), total=sum(counts), owned=owned)


@lru_cache(maxsize=8)
def introspection_bounds(schema: GraphQLSchema) -> dict[tuple[str, str], ListBound]:
    """Bounds keyed by ``(introspection type, field)``, e.g. ``("__Type", "fields")``."""
    types = list(schema.type_map.values())
    with_fields = [t for t in types if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)]
    fields = [field for named in with_fields for field in named.fields.values()]
    abstract = [t for t in types if is_abstract_type(t)]
    return {
        ("__Schema", "types"): _bound([types]),
        ("__Schema", "directives"): _bound([schema.directives]),
        ("__Type", "fields"): _bound(named.fields for named in with_fields),
        ("__Type", "interfaces"): _bound((named.interfaces for named in with_fields), owned=False),
        ("__Type", "possibleTypes"): _bound(
            (schema.get_possible_types(named) for named in abstract),
            owned=False,
        ),
        ("__Type", "enumValues"): _bound(t.values for t in types if isinstance(t, GraphQLEnumType)),
        ("__Type", "inputFields"): _bound(t.fields for t in types if isinstance(t, GraphQLInputObjectType)),
        ("__Field", "args"): _bound(field.args for field in fields),
        ("__Directive", "args"): _bound(directive.args for directive in schema.directives),
        ("__Directive", "locations"): _bound(directive.locations for directive in schema.directives),
    }

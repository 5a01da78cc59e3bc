"""Shared fan-out: execute and serialise a live event once per group of alike subscribers.

A plain Strawberry subscription executes the GraphQL selection once per subscriber per
event. Here, subscription generators that serve the same live event yield the SAME object
(:func:`shared` builds it once from the bus event every local subscriber receives), and the
execution layer (:mod:`subscriptions.executor`) keeps the result of executing it per
*group*: one operation document with one set of variables, and, unless every field of the
selection is declared shareable, one viewer. The WebSocket handler (:mod:`web.transport`)
then sends the same serialised ``next`` payload to every subscriber of the group.

Sharing is an allow-list carried by the fields (:mod:`schema.marks` writes it): a field with a
resolver is shared across viewers only when it says so; one that says nothing runs per
viewer, so a new field is never shared by accident. A plain attribute (no resolver) runs no
code of its own: it shares whatever its object shares.

Only objects marked by :func:`shared` (or :func:`mark_shared`) are shared: a replayed event
or anything a generator builds for one subscriber is executed for that subscriber alone.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Generic, TypeVar

import orjson
from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    OperationDefinitionNode,
    TypeInfo,
    Visitor,
    get_named_type,
    is_abstract_type,
    print_ast,
    visit,
)
from graphql.language import FragmentDefinitionNode
from graphql.utilities import TypeInfoVisitor

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
T = TypeVar("T")
S = TypeVar("S")

# The metadata key a field declares its sharing under (schema/marks.py writes it), and its values.
SHARING = "eroom.sharing"
ANYONE = "anyone"
VIEWER = "viewer"


def strawberry_metadata(definition: object) -> Mapping[str, object]:
    """The ``metadata`` a graphql-core field, argument or input field was declared with in
    strawberry (empty for graphql-core's own, e.g. introspection)."""
    extensions = getattr(definition, "extensions", None) or {}
    metadata = getattr(extensions.get("strawberry-definition"), "metadata", None)
    return metadata if isinstance(metadata, Mapping) else {}


def field_audience(field: GraphQLField) -> str | None:
    """Who may share the field's result: :data:`ANYONE` or :data:`VIEWER` as declared,
    :data:`ANYONE` for a plain attribute; None for a resolver that declares nothing."""
    declared = strawberry_metadata(field).get(SHARING)
    if declared in (ANYONE, VIEWER):
        return str(declared)
    definition = field.extensions.get("strawberry-definition")
    if definition is not None and getattr(definition, "base_resolver", True) is None:
        return ANYONE
    return None


class IdentityLRU(Generic[V]):
    """A small LRU keyed by ``(key, id(obj))`` that keeps ``obj`` alive while cached, so
    an ``id()`` is never reused for another object during its entry's lifetime."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[tuple[Hashable, int], tuple[object, V]] = OrderedDict()
        # The newest entry read or written, checked first: one event is looked up once per
        # subscriber in a row. It keeps its object alive until another replaces it.
        self._newest: tuple[Hashable, object, V] | None = None

    def get(self, key: Hashable, obj: object) -> V | None:
        newest = self._newest
        if newest is not None and newest[1] is obj and newest[0] == key:
            return newest[2]
        entry = self._entries.get((key, id(obj)))
        if entry is None or entry[0] is not obj:
            return None
        self._entries.move_to_end((key, id(obj)))
        self._newest = (key, obj, entry[1])
        return entry[1]

    def put(self, key: Hashable, obj: object, value: V) -> None:
        self._entries[(key, id(obj))] = (obj, value)
        self._entries.move_to_end((key, id(obj)))
        self._newest = (key, obj, value)
        while len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


# Recent live events only: what they hold (the event, its built type, their results) is needed
# while the event is fanned out; a stream that takes one later than this executes it alone.
RECENT_EVENTS = 512
_SHAREABLE: IdentityLRU[bool] = IdentityLRU(RECENT_EVENTS)
_BUILT: IdentityLRU[object] = IdentityLRU(RECENT_EVENTS)


def mark_shared(obj: T) -> T:
    """Declare that ``obj`` is one live event yielded to many subscribers unchanged."""
    _SHAREABLE.put(None, obj, True)
    return obj


def is_shared(obj: object) -> bool:
    return _SHAREABLE.get(None, obj) is not None


def shared(source: S, kind: Hashable, build: Callable[[S], T]) -> T:
    """``build(source)`` for ``source`` (a bus event, the same object for every local subscriber),
    built once per ``(source, kind)`` while it is recent, and marked shared: one live event
    yielded to many subscribers unchanged."""
    built = _BUILT.get(kind, source)
    if built is None:
        built = mark_shared(build(source))
        _BUILT.put(kind, source, built)
    return built  # type: ignore[return-value]


def _parent_types(parent: GraphQLNamedType, schema: GraphQLSchema) -> list[GraphQLNamedType]:
    if is_abstract_type(parent):
        return [*schema.get_possible_types(parent), parent]
    return [parent]


def selection_audience(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
) -> str:
    """Who may share the operation's results: ``"viewer"`` when it selects a field not declared
    shareable (:func:`field_audience`) or guarded by a permission that depends on the viewer;
    ``"signed-in"`` when its only guards ask whether there is a viewer at all
    (``same_for_every_viewer``: every signed-in subscriber gets the same outcome, every
    anonymous one the other); ``"anyone"`` otherwise."""
    type_info = TypeInfo(schema)
    audience = "anyone"

    class Finder(Visitor):
        def enter_field(self, node: FieldNode, *_args: object) -> None:
            nonlocal audience
            parent = type_info.get_parent_type()
            field = type_info.get_field_def()
            if parent is None or field is None:
                return
            if node.name.value.startswith("__"):
                return  # the schema's own meta fields (__typename) depend on the object only
            for named in _parent_types(get_named_type(parent), schema):
                declared = getattr(named, "fields", {}).get(node.name.value)
                if declared is not None and field_audience(declared) != ANYONE:
                    audience = "viewer"
            definition = field.extensions.get("strawberry-definition")
            permissions = getattr(definition, "permission_classes", None) or ()
            if not all(getattr(permission, "same_for_every_viewer", False) for permission in permissions):
                audience = "viewer"
            elif permissions and audience == "anyone":
                audience = "signed-in"

    document = DocumentNode(definitions=(operation, *fragments.values()))
    visit(document, TypeInfoVisitor(type_info, Finder()))
    return audience


def group_key(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, object],
    viewer_id: int | None,
) -> Hashable | None:
    """The key shared by subscribers that must receive identical results, or None when
    the variables cannot be compared (then nothing is shared)."""
    try:
        variables_key = orjson.dumps(variables, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None
    document = print_ast(operation) + "".join(print_ast(fragments[name]) for name in sorted(fragments))
    audience: tuple[object, ...] = audience_key(selection_audience(schema, operation, fragments), viewer_id)
    return (id(schema), document, variables_key, audience)


def audience_key(audience: str, viewer_id: int | None) -> tuple[object, ...]:
    """The part of a group key that says whose results may be shared."""
    if audience == "viewer":
        return ("viewer", viewer_id)
    if audience == "signed-in":
        return ("signed-in", viewer_id is not None)
    return ("anyone",)

"""Depth (``MAX_QUERY_DEPTH``), cost (``MAX_QUERY_COST``) and aliases of an operation: one rule.

Cost: a field costs 1 each time it can resolve, so a field under lists costs once per item those
lists can hold, at most:

* a field with a page size (``first``/``last``) holds that many items: a list directly, or a
  connection whose ``edges``/``nodes`` (declared :data:`schema.marks.PAGE`) hold the page; the
  page sizes those two lists and nothing below them;
* any other list declares its bound on its definition (:func:`schema.marks.bounded`); a list
  that declares none is refused (a test keeps every list of the schema declared);
* introspection lists hold what the schema holds (:mod:`schema.limits.introspection`).

Fragments count where they are spread, each named fragment once per selection as the executor
collects them, and aliases count where they run (:mod:`schema.limits.aliases`). The walk stops
as soon as a limit is passed, so measuring costs at most ``MAX_QUERY_COST`` steps.

Depth leaves introspection out: the standard introspection query nests ``ofType`` deeper than
any real operation, and graphql-core's own rule bounds how deep introspection may nest.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    is_list_type,
    is_non_null_type,
)
from graphql.type import SchemaMetaFieldDef, TypeMetaFieldDef
from graphql.validation import ASTValidationRule, ValidationRule

from infra.paging import MAX_PAGE_SIZE
from infra.settings import Settings
from schema.errors import too_complex
from schema.limits.aliases import AliasCount
from schema.limits.introspection import introspection_bounds
from schema.limits.pages import PAGE_ARGUMENTS, PageSizes
from schema.marks import holds_page, max_items

Fragments = dict[str, FragmentDefinitionNode]
Located = tuple[GraphQLNamedType | None, FieldNode, frozenset[str]]


class LimitPassed(Exception):
    def __init__(self, error: GraphQLError) -> None:
        super().__init__(error.message)
        self.error = error


@dataclass(frozen=True, slots=True)
class _Scope:
    """Where a selection runs: on at most ``count`` objects, all different ones when
    ``distinct``, returned by a field asked for a page of ``page`` items (if any)."""

    count: int
    distinct: bool = False
    page: int | None = None


def declared_list_bound(field: GraphQLField) -> int | None:
    """The most items a list field says it returns; a page's edges/nodes hold at most a page."""
    bound = max_items(field)
    if bound is None and holds_page(field):
        return MAX_PAGE_SIZE
    return bound


def _is_list(definition: GraphQLField) -> bool:
    field_type = definition.type
    if is_non_null_type(field_type):
        field_type = field_type.of_type
    return is_list_type(field_type)


def _fragments(document: DocumentNode) -> Fragments:
    return {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Fragments,
        pages: PageSizes,
        settings: Settings,
        operation: OperationDefinitionNode,
    ) -> None:
        self.schema, self.fragments, self.pages = schema, fragments, pages
        self.limit, self.operation = settings.max_query_cost, operation
        self.cost = 0
        self.aliases = AliasCount(settings)
        self.introspection = introspection_bounds(schema)
        self.depths: dict[int, int] = {}

    def collect(
        self,
        parent: GraphQLNamedType | None,
        selection_set: SelectionSetNode | None,
        path: frozenset[str],
        visited: set[str] | None = None,
    ) -> Iterator[Located]:
        """The fields of one selection with the type each is selected on; a fragment spread
        again in the same selection adds nothing, and one already on ``path`` (a cycle, another
        rule's error) is skipped."""
        visited = set() if visited is None else visited
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield parent, selection, path
            elif isinstance(selection, InlineFragmentNode):
                yield from self.collect(self._on(selection, parent), selection.selection_set, path, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in visited or name in path:
                    continue
                visited.add(name)
                yield from self.collect(
                    self._on(fragment, parent), fragment.selection_set, path | {name}, visited
                )

    def _on(
        self, fragment: InlineFragmentNode | FragmentDefinitionNode, parent: GraphQLNamedType | None
    ) -> GraphQLNamedType | None:
        condition = fragment.type_condition
        return parent if condition is None else self.schema.get_type(condition.name.value)

    def depth(self, selection_set: SelectionSetNode | None, path: frozenset[str] = frozenset()) -> int:
        deepest = 0
        for _, field, field_path in self.collect(None, selection_set, path):
            if field.name.value.startswith("__"):
                continue
            below = 0
            if field.selection_set is not None:
                key = id(field.selection_set)  # a fragment's fields are the same nodes wherever spread
                if key not in self.depths:
                    self.depths[key] = self.depth(field.selection_set, field_path)
                below = self.depths[key]
            deepest = max(deepest, 1 + below)
        return deepest

    def walk(
        self,
        parent: GraphQLNamedType | None,
        selection_set: SelectionSetNode,
        scope: _Scope,
        path: frozenset[str],
    ) -> None:
        for field_parent, node, field_path in self.collect(parent, selection_set, path):
            self.cost += scope.count
            if self.cost > self.limit:
                raise LimitPassed(
                    too_complex(
                        f"The operation costs over {self.limit}; the limit is {self.limit}.", self.operation
                    )
                )
            error = self.aliases.add(node)
            if error is not None:
                raise LimitPassed(error)
            definition = self._definition(field_parent, node)
            if definition is None:
                continue  # an unknown field: another rule reports it
            size = self.pages.size(node, definition)  # read on leaves too: an invalid one is reported
            if node.selection_set is None:
                continue  # a leaf (a list of scalars included) costs 1 however long
            child = self._child_scope(field_parent, node, definition, scope, size)
            if child.count:
                self.walk(get_named_type(definition.type), node.selection_set, child, field_path)

    def _definition(self, parent: GraphQLNamedType | None, node: FieldNode) -> GraphQLField | None:
        name = node.name.value
        if parent is not None and parent is self.schema.query_type:
            if name == "__schema":
                return SchemaMetaFieldDef
            if name == "__type":
                return TypeMetaFieldDef
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition: GraphQLField | None = parent.fields.get(name)
            return definition
        return None

    def _child_scope(
        self,
        parent: GraphQLNamedType | None,
        node: FieldNode,
        definition: GraphQLField,
        scope: _Scope,
        size: int | None,
    ) -> _Scope:
        if size is None and not set(PAGE_ARGUMENTS).isdisjoint(definition.args):
            size = MAX_PAGE_SIZE  # invalid (reported) or left to the resolver: at most a page
        if not _is_list(definition):
            if size is not None:  # a connection: its edges/nodes hold the page
                return _Scope(scope.count, page=size)
            return _Scope(scope.count, distinct=scope.count <= 1)
        if size is not None:
            return _Scope(scope.count * size)
        bound = self.introspection.get((parent.name, node.name.value)) if parent is not None else None
        if bound is not None:
            return _Scope(
                bound.items(scope.count, distinct=scope.distinct), distinct=scope.distinct and bound.owned
            )
        declared = max_items(definition)
        if declared is None and holds_page(definition):
            declared = scope.page or MAX_PAGE_SIZE
        if declared is None:
            owner = parent.name if parent is not None else "?"
            raise LimitPassed(
                too_complex(f"`{owner}.{node.name.value}` is a list without a declared bound.", node)
            )
        items = scope.count * declared
        return _Scope(items, distinct=items <= 1)


def check_operation(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Fragments,
    variables: dict[str, Any],
    settings: Settings,
) -> list[GraphQLError]:
    """The operation's limit errors (page sizes first), none when it may run."""
    pages = PageSizes(operation, variables)
    walker = _Walker(schema, fragments, pages, settings, operation)
    # like graphql-depth-limit: root fields are depth 0, ``{ a { b } }`` is depth 1
    depth = walker.depth(operation.selection_set) - 1
    if depth > settings.max_query_depth:
        message = f"The operation is {depth} levels deep; the limit is {settings.max_query_depth}."
        return [too_complex(message, operation)]
    root = schema.get_root_type(operation.operation)
    try:
        walker.walk(root, operation.selection_set, _Scope(1, distinct=True), frozenset())
    except LimitPassed as passed:
        return [*pages.errors, passed.error]
    return pages.errors


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any],
    settings: Settings,
) -> int:
    """The cost of the document's operation (the one named, or the only one), or a number over
    ``MAX_QUERY_COST`` as soon as it passes it; 0 when there is no such operation."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    if len(chosen) != 1:
        return 0
    operation = chosen[0]
    walker = _Walker(schema, _fragments(document), PageSizes(operation, variables), settings, operation)
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    with contextlib.suppress(LimitPassed):  # over the limit: the cost so far says so
        walker.walk(root, operation.selection_set, _Scope(1, distinct=True), frozenset())
    return walker.cost


def operation_rule(settings: Settings, variables: dict[str, Any]) -> type[ASTValidationRule]:
    """A validation rule bound to this operation's variables (page sizes may come from them)."""

    class OperationLimitsRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
            context = self.context
            for error in check_operation(
                context.schema, node, _fragments(context.document), variables, settings
            ):
                self.report_error(error)

    return OperationLimitsRule

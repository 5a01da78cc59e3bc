"""Depth (``MAX_QUERY_DEPTH``) and cost (``MAX_QUERY_COST``) of an operation: one validation rule.

Cost: every field costs 1; a field with a page size (``first``/``last``) multiplies what it
selects by that size, and a list without one by ``UNPAGED_LIST_SIZE``. Fragments are followed.
Introspection fields (``__schema``, ``__type``) are left out of depth and cost: GraphiQL and
code generators need the standard introspection query, which nests ``ofType`` deeper than any
real operation.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    is_list_type,
    is_non_null_type,
)
from graphql.validation import ASTValidationRule, ValidationContext, ValidationRule

from infra.settings import Settings
from schema.errors import too_complex
from schema.limits.pages import PageSizes

# A list without a page argument (e.g. ``Member.challenges``) is assumed to hold this many
# items, unless it is the ``edges``/``nodes`` list of a page that was already counted.
UNPAGED_LIST_SIZE = 10


def _fragments(context: ValidationContext) -> dict[str, FragmentDefinitionNode]:
    return {
        definition.name.value: definition
        for definition in context.document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }


def _is_list(definition: GraphQLField) -> bool:
    field_type = definition.type
    if is_non_null_type(field_type):
        field_type = field_type.of_type
    return is_list_type(field_type)


class _Walker:
    """Depth and cost of one operation, following fragments (each at most once per path)."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode], pages: PageSizes) -> None:
        self.fragments = fragments
        self.pages = pages

    def fields(self, selection_set: SelectionSetNode | None, seen: frozenset[str]) -> Iterator[FieldNode]:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self.fields(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:  # cycles are another rule's error
                    yield from self.fields(fragment.selection_set, seen | {name})

    def depth(self, selection_set: SelectionSetNode | None, seen: frozenset[str] = frozenset()) -> int:
        deepest = 0
        for field in self.fields(selection_set, seen):
            if field.name.value.startswith("__"):
                continue
            deepest = max(deepest, 1 + self.depth(field.selection_set, seen))
        return deepest

    def cost(
        self,
        parent: GraphQLNamedType | None,
        selection_set: SelectionSetNode | None,
        *,
        paged: bool = False,
        seen: frozenset[str] = frozenset(),
    ) -> int:
        total = 0
        for field in self.fields(selection_set, seen):
            if field.name.value.startswith("__"):
                continue
            definition = self._definition(parent, field)
            field_type = get_named_type(definition.type) if definition else None
            size = self.pages.size(field, definition)
            if size is not None:
                children = self.cost(field_type, field.selection_set, paged=True, seen=seen)
            else:
                is_list = definition is not None and _is_list(definition)
                size = UNPAGED_LIST_SIZE if is_list and not paged else 1
                children = self.cost(field_type, field.selection_set, paged=paged and is_list, seen=seen)
            total += 1 + size * children
        return total

    def _definition(self, parent: GraphQLNamedType | None, field: FieldNode) -> GraphQLField | None:
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            definition: GraphQLField | None = parent.fields.get(field.name.value)
            return definition
        return None


def operation_rule(settings: Settings, variables: dict[str, Any]) -> type[ASTValidationRule]:
    """A validation rule bound to this operation's variables (page sizes may come from them)."""

    class OperationLimitsRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
            context = self.context
            root = context.schema.get_root_type(node.operation)
            pages = PageSizes(node, variables)
            walker = _Walker(_fragments(context), pages)
            # like graphql-depth-limit: root fields are depth 0, ``{ a { b } }`` is depth 1
            depth = walker.depth(node.selection_set) - 1
            if depth > settings.max_query_depth:
                self.report_error(
                    too_complex(
                        f"The operation is {depth} levels deep; the limit is {settings.max_query_depth}.",
                        node,
                    )
                )
                return
            cost = walker.cost(root, node.selection_set)
            for error in pages.errors:
                self.report_error(error)
            if cost > settings.max_query_cost:
                self.report_error(
                    too_complex(f"The operation costs {cost}; the limit is {settings.max_query_cost}.", node)
                )

    return OperationLimitsRule

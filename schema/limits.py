"""Operation limits, checked after parsing and before anything executes.

One schema extension applies them to every operation, over HTTP and over WebSocket
subscriptions alike (strawberry runs both through the same parse/validate steps):

* tokens (``MAX_QUERY_TOKENS``): enforced by the parser itself, so a huge document is refused
  before it is turned into a tree;
* depth (``MAX_QUERY_DEPTH``), aliases (``MAX_ALIASES_PER_FIELD`` of one field,
  ``MAX_ALIASES`` in total) and cost (``MAX_QUERY_COST``): validation rules;
* ``first``/``last`` outside 1..100: ``BAD_USER_INPUT`` naming the argument;
* introspection off with ``INTROSPECTION=false``.

Violations are ``QUERY_TOO_COMPLEX`` and the operation does not run. Introspection fields
(``__schema``, ``__type``) are left out of depth and cost: GraphiQL and code generators need
the standard introspection query, which nests ``ofType`` deeper than any real operation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_list_type,
    is_non_null_type,
)
from graphql.validation import (
    ASTValidationRule,
    NoSchemaIntrospectionCustomRule,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension

from infra.errors import BadInput, ErrorCode
from infra.paging import page_size
from infra.settings import Settings
from schema.document_cache import DocumentCache
from schema.text_rules import NoNulCharactersRule, nul_variable_error

PAGE_ARGUMENTS = ("first", "last")
# A list without a page argument (e.g. ``Member.challenges``) is assumed to hold this many
# items, unless it is the ``edges``/``nodes`` list of a page that was already counted.
UNPAGED_LIST_SIZE = 10
TOKEN_ERROR_PREFIX = "Document contains more than"


def too_complex(message: str, nodes: Any = None) -> GraphQLError:
    return GraphQLError(message, nodes, extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value})


def _fragments(context: ValidationContext) -> dict[str, FragmentDefinitionNode]:
    return {
        definition.name.value: definition
        for definition in context.document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }


class _Walker:
    """Depth and cost of one operation, following fragments (each at most once per path)."""

    def __init__(
        self,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
        defaults: dict[str, Any],
    ) -> None:
        self.fragments = fragments
        self.variables = variables
        self.defaults = defaults
        self.page_errors: list[GraphQLError] = []

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
            size = self._page_size(field, definition)
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

    def _page_size(self, field: FieldNode, definition: GraphQLField | None) -> int | None:
        if definition is None:
            return None
        sizes: list[int] = []
        for name in PAGE_ARGUMENTS:
            if name not in definition.args:
                continue
            value = self._argument(field, name, definition.args[name].default_value)
            if value is None:
                continue
            if not isinstance(value, int) or isinstance(value, bool):
                continue  # a wrong type: variable coercion reports it
            try:
                sizes.append(page_size(value, field=name))
            except BadInput as error:
                self.page_errors.append(GraphQLError(error.message, field, extensions=error.extensions))
        return max(sizes) if sizes else None

    def _argument(self, field: FieldNode, name: str, default: object) -> object:
        for argument in field.arguments or ():
            if argument.name.value != name:
                continue
            if isinstance(argument.value, IntValueNode):
                return int(argument.value.value)
            if isinstance(argument.value, VariableNode):
                variable = argument.value.name.value
                return self.variables.get(variable, self.defaults.get(variable))
            return None
        return default if isinstance(default, int) else None


def _is_list(definition: GraphQLField) -> bool:
    field_type = definition.type
    if is_non_null_type(field_type):
        field_type = field_type.of_type
    return is_list_type(field_type)


def _variable_defaults(operation: OperationDefinitionNode) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        if isinstance(definition.default_value, IntValueNode):
            defaults[definition.variable.name.value] = int(definition.default_value.value)
    return defaults


def operation_rule(settings: Settings, variables: dict[str, Any]) -> type[ASTValidationRule]:
    """A validation rule bound to this operation's variables (page sizes may come from them)."""

    class OperationLimitsRule(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
            context = self.context
            root = context.schema.get_root_type(node.operation)
            walker = _Walker(_fragments(context), variables, _variable_defaults(node))
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
            for error in walker.page_errors:
                self.report_error(error)
            if cost > settings.max_query_cost:
                self.report_error(
                    too_complex(f"The operation costs {cost}; the limit is {settings.max_query_cost}.", node)
                )

    return OperationLimitsRule


def alias_rule(settings: Settings) -> type[ASTValidationRule]:
    class AliasLimitsRule(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self.per_field: Counter[str] = Counter()
            self.total = 0
            self.reported = False

        def enter_field(self, node: FieldNode, *_: object) -> None:
            if node.alias is None or self.reported:
                return
            self.total += 1
            self.per_field[node.name.value] += 1
            if self.per_field[node.name.value] > settings.max_aliases_per_field:
                self.reported = True
                self.report_error(
                    too_complex(
                        f"More than {settings.max_aliases_per_field} aliases of `{node.name.value}`.", node
                    )
                )
            elif self.total > settings.max_aliases:
                self.reported = True
                self.report_error(too_complex(f"More than {settings.max_aliases} aliases.", node))

    return AliasLimitsRule


class OperationLimits(SchemaExtension):
    def __init__(self, *, settings: Settings, cache: DocumentCache | None = None) -> None:
        self.settings = settings
        self.cache = cache

    def on_operation(self) -> Iterator[None]:
        self.execution_context.parse_options["max_tokens"] = self.settings.max_query_tokens
        yield

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if self.cache is not None and query is not None and context.graphql_document is None:
            # A document set here is not parsed again by strawberry; parse errors are not cached.
            context.graphql_document = self.cache.document(query)
            yield
            if context.graphql_document is not None and not context.pre_execution_errors:
                self.cache.add_document(query, context.graphql_document)
        else:
            yield
        for error in self.execution_context.pre_execution_errors or ():
            if TOKEN_ERROR_PREFIX in error.message:
                error.message = f"The operation has more than {self.settings.max_query_tokens} tokens."
                error.extensions = {"code": ErrorCode.QUERY_TOO_COMPLEX.value}

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        variables = context.variables if isinstance(context.variables, dict) else {}
        rules: list[type[ASTValidationRule]] = [
            alias_rule(self.settings),
            operation_rule(self.settings, variables),
        ]
        if not self.settings.introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        rules.append(NoNulCharactersRule)
        context.validation_rules = (*context.validation_rules, *rules)
        # Checked on every request: the validation cache key ignores string values.
        nul = nul_variable_error(variables)
        if nul is not None:
            context.pre_execution_errors = [nul]
            yield
            return
        key = DocumentCache.key(context.query, variables) if self.cache is not None else None
        if key is not None and self.cache is not None and self.cache.is_valid(key):
            context.pre_execution_errors = []  # strawberry then skips validation
            yield
            return
        yield
        if key is not None and self.cache is not None and context.pre_execution_errors == []:
            self.cache.add_valid(key)

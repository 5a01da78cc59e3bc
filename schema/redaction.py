"""An operation's variables as the log may show them: secrets found by the schema, not by name.

Every argument and input field that carries a password, a token or a code is marked once, on
its definition (:data:`schema.marks.SENSITIVE`). A variable's value is logged only when the
document says where it goes and none of those places is sensitive; inside an input object,
each field is judged by its own definition. A variable the server cannot place (unused, bound
to an unknown argument, a document that did not parse) is redacted, whatever it is called.
Values written inline are never logged: the log does not carry the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    ObjectFieldNode,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableNode,
    Visitor,
    visit,
)

from schema.marks import is_sensitive

REDACTED = "[redacted]"
MAX_LOGGED_STRING = 200
MAX_LOGGED_ITEMS = 20

# Where a variable is used: the input type expected there, and whether the place is sensitive.
Usage = tuple[GraphQLInputType | None, bool]


def _reachable(operation: OperationDefinitionNode, document: DocumentNode) -> DocumentNode:
    """The operation with the fragments it spreads (at any depth), as one document."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    used: dict[str, FragmentDefinitionNode] = {}
    pending: list[OperationDefinitionNode | FragmentDefinitionNode] = [operation]
    while pending:

        class Spreads(Visitor):
            def enter_fragment_spread(self, node: FragmentSpreadNode, *_: object) -> None:
                name = node.name.value
                if name in fragments and name not in used:
                    used[name] = fragments[name]
                    pending.append(fragments[name])

        visit(pending.pop(), Spreads())
    return DocumentNode(definitions=(operation, *used.values()))


def variable_usages(
    schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode
) -> dict[str, list[Usage]]:
    type_info = TypeInfo(schema)
    usages: dict[str, list[Usage]] = {}
    sensitive: list[bool] = []  # one entry per argument or object field entered

    class Usages(Visitor):
        def enter_argument(self, node: ArgumentNode, *_: object) -> None:
            argument = type_info.get_argument()
            sensitive.append(argument is None or is_sensitive(argument))

        def leave_argument(self, *_: object) -> None:
            sensitive.pop()

        def enter_object_field(self, node: ObjectFieldNode, *_: object) -> None:
            parent = type_info.get_parent_input_type()
            field = parent.fields.get(node.name.value) if isinstance(parent, GraphQLInputObjectType) else None
            sensitive.append(field is None or is_sensitive(field) or any(sensitive))

        def leave_object_field(self, *_: object) -> None:
            sensitive.pop()

        def enter_variable(self, node: VariableNode, *_: object) -> None:
            if sensitive:  # a use, not the variable's definition
                usages.setdefault(node.name.value, []).append((type_info.get_input_type(), any(sensitive)))

    visit(_reachable(operation, document), TypeInfoVisitor(type_info, Usages()))
    return usages


def _shown(value: object, expected: GraphQLInputType | None) -> object:
    """``value`` as the log may show it, judged by the type expected where it is used."""
    if isinstance(expected, GraphQLNonNull):
        expected = expected.of_type
    if isinstance(expected, GraphQLList):
        if isinstance(value, list):
            return [_shown(item, expected.of_type) for item in value[:MAX_LOGGED_ITEMS]]
        return _shown(value, expected.of_type)
    if isinstance(expected, GraphQLInputObjectType) and isinstance(value, Mapping):
        return {
            str(key): _shown(item, expected.fields[key].type)
            if key in expected.fields and not is_sensitive(expected.fields[key])
            else REDACTED
            for key, item in value.items()
        }
    if isinstance(value, str):
        return value if len(value) <= MAX_LOGGED_STRING else value[:MAX_LOGGED_STRING] + "…"
    if value is None or isinstance(value, bool | int | float):
        return value
    return REDACTED  # a structure where a scalar belongs: the request is wrong, its content unknown


def loggable_variables(
    schema: GraphQLSchema,
    document: DocumentNode | None,
    operation_name: str | None,
    variables: dict[str, Any],
) -> dict[str, object]:
    operations = (
        [d for d in document.definitions if isinstance(d, OperationDefinitionNode)] if document else []
    )
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    if document is None or len(chosen) != 1:
        return {name: REDACTED for name in variables}
    usages = variable_usages(schema, document, chosen[0])
    shown: dict[str, object] = {}
    for name, value in variables.items():
        uses = usages.get(name, [])
        places = {str(expected) for expected, _ in uses}
        if not uses or any(secret for _, secret in uses) or len(places) > 1:
            shown[name] = REDACTED
        else:
            shown[name] = _shown(value, uses[0][0])
    return shown

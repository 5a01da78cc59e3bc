"""The page size a field asks for, read from its ``first``/``last`` argument before execution.

The size may be written inline, passed in a variable, or come from the variable's or the
argument's default. A size outside :func:`infra.paging.page_size`'s rule becomes a
``BAD_USER_INPUT`` error naming the argument.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLField,
    IntValueNode,
    OperationDefinitionNode,
    VariableNode,
)

from infra.errors import BadInput
from infra.paging import page_size

PAGE_ARGUMENTS = ("first", "last")


def _variable_defaults(operation: OperationDefinitionNode) -> dict[str, Any]:
    defaults: dict[str, Any] = {}
    for definition in operation.variable_definitions or ():
        if isinstance(definition.default_value, IntValueNode):
            defaults[definition.variable.name.value] = int(definition.default_value.value)
    return defaults


class PageSizes:
    """Page sizes of the fields of one operation; invalid ones are collected in ``errors``."""

    def __init__(self, operation: OperationDefinitionNode, variables: dict[str, Any]) -> None:
        self.variables = variables
        self.defaults = _variable_defaults(operation)
        self.errors: list[GraphQLError] = []

    def size(self, field: FieldNode, definition: GraphQLField | None) -> int | None:
        """The larger of ``first`` and ``last``; ``None`` when the field takes neither."""
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
                self.errors.append(GraphQLError(error.message, field, extensions=error.extensions))
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

"""Text the database cannot store is the client's mistake, not a server error.

PostgreSQL refuses NUL characters in text (SQLite would store them silently), so a NUL in any
string, written inline or sent in a variable, is ``BAD_USER_INPUT`` before anything runs.
"""

from __future__ import annotations

from graphql import GraphQLError, StringValueNode, ValidationRule

from infra.errors import ErrorCode

NUL = "\x00"
MESSAGE = "Text may not contain NUL characters."


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def nul_variable_error(variables: dict[str, object]) -> GraphQLError | None:
    """An error naming the first variable whose value holds a NUL character, if any."""
    for name, value in variables.items():
        if _holds_nul(value):
            return GraphQLError(MESSAGE, extensions={"code": ErrorCode.BAD_USER_INPUT.value, "field": name})
    return None


class NoNulCharactersRule(ValidationRule):
    """Inline string literals (``"\\u0000"``) with a NUL character."""

    def enter_string_value(self, node: StringValueNode, *_: object) -> None:
        if NUL in node.value:
            self.report_error(
                GraphQLError(
                    MESSAGE, node, extensions={"code": ErrorCode.BAD_USER_INPUT.value, "field": "query"}
                )
            )

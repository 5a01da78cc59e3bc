"""The schema extension that adds our validation rules to every operation's validation step.

Rules: depth, cost and aliases (with page sizes), introspection off when configured, and NUL
characters in inline strings. Operations that already passed are not validated again
(:mod:`schema.limits.validation_cache`); NUL characters in variable values are checked on
every request instead, since the cache key leaves string values out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql.validation import ASTValidationRule, NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

from infra.settings import Settings
from schema.limits.cost import operation_rule
from schema.limits.validation_cache import ValidatedOperations
from schema.text_rules import NoNulCharactersRule, nul_variable_error


class OperationLimits(SchemaExtension):
    def __init__(self, *, settings: Settings, cache: ValidatedOperations | None = None) -> None:
        self.settings = settings
        self.cache = cache

    def _rules(self, variables: dict[str, Any]) -> list[type[ASTValidationRule]]:
        rules: list[type[ASTValidationRule]] = [operation_rule(self.settings, variables)]
        if not self.settings.introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        rules.append(NoNulCharactersRule)
        return rules

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        variables = context.variables if isinstance(context.variables, dict) else {}
        nul = nul_variable_error(variables)
        if nul is not None:
            context.pre_execution_errors = [nul]
            yield
            return
        cache = self.cache
        key = None if cache is None else cache.key(context.query, variables)
        if cache is not None and key is not None and cache.is_valid(key):
            context.pre_execution_errors = []  # strawberry then skips validation
            yield
            return
        # Built only when validation runs: a rule class bound to the variables costs a class
        # creation per request.
        context.validation_rules = (*context.validation_rules, *self._rules(variables))
        yield
        if cache is not None and key is not None and context.pre_execution_errors == []:
            cache.add(key)

"""Aliases: at most ``MAX_ALIASES_PER_FIELD`` of one field and ``MAX_ALIASES`` in total.

Aliases let one request run the same field many times; a wall of them stays shallow and cheap
by the depth and cost measures, so they are capped on their own.
"""

from __future__ import annotations

from collections import Counter

from graphql import FieldNode
from graphql.validation import ASTValidationRule, ValidationContext, ValidationRule

from infra.settings import Settings
from schema.errors import too_complex


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

"""Operations that passed validation, so a repeated one is not validated again (one per schema).

Clients send the same few documents over and over, and validating a list query walks every
node of it with ~30 rules. strawberry's own ``ValidationCache`` keys on the rule classes, and
ours are made per request (they are bound to the request's variables), so it would never hit.
Failures are never cached (their error objects are per request).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

ValidationKey = tuple[str, tuple[tuple[str, int | None], ...]]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class ValidatedOperations:
    """The most recent ``maxsize`` operations that passed validation, with hit/miss counts."""

    def __init__(self, maxsize: int = 256) -> None:
        self.maxsize = maxsize
        self._valid: OrderedDict[ValidationKey, None] = OrderedDict()
        self.hits = 0
        self.misses = 0

    @staticmethod
    def key(query: str | None, variables: dict[str, Any]) -> ValidationKey | None:
        """What validation depends on: the text, and what the limits read from the variables
        (page sizes: the integer values, and which variables are present, since an absent one
        takes its default). Other values (a message body, an id) never change the outcome."""
        if query is None:
            return None
        return query, tuple(
            sorted((name, value if _is_int(value) else None) for name, value in variables.items())
        )

    def is_valid(self, key: ValidationKey) -> bool:
        if key in self._valid:
            self._valid.move_to_end(key)
            self.hits += 1
            return True
        self.misses += 1
        return False

    def add(self, key: ValidationKey) -> None:
        self._valid[key] = None
        while len(self._valid) > self.maxsize:
            self._valid.popitem(last=False)

"""The one page-size rule: every ``first``/``last`` of every list holds 1 to 100 items."""

from __future__ import annotations

from infra.errors import BadInput

MAX_PAGE_SIZE = 100


def page_size(value: int, *, field: str) -> int:
    """``value`` when it is a valid page size; ``BadInput`` naming ``field`` otherwise."""
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise BadInput(f"`{field}` must be between 1 and {MAX_PAGE_SIZE}.", field=field)
    return value

"""The validation cache: a repeated operation is not validated again, unless what the limits
read from its variables (page sizes) changed."""

from __future__ import annotations

import strawberry

from infra.settings import Settings
from schema.limits.extension import OperationLimits
from schema.limits.validation_cache import ValidatedOperations
from schema.root import Schema

ITEMS = "query Items($n: Int!, $text: String!) { items(first: $n, text: $text) }"

executed: list[int] = []


@strawberry.type
class _Query:
    @strawberry.field
    def items(self, first: int, text: str) -> list[str]:
        executed.append(first)
        return [text] * first


def _schema(cache: ValidatedOperations) -> Schema:
    settings = Settings(JWT_SECRET="s" * 40)
    return Schema(query=_Query, extensions=[lambda: OperationLimits(settings=settings, cache=cache)])


async def test_cached_operation_with_another_page_size_is_validated_again() -> None:
    # given: the operation validated and cached with ``first: 5``
    cache = ValidatedOperations()
    schema = _schema(cache)
    cached = await schema.execute(ITEMS, variable_values={"n": 5, "text": "a"})
    assert cached.errors is None
    executed.clear()

    # when: it is sent again with page sizes outside 1..100
    too_large = await schema.execute(ITEMS, variable_values={"n": 500, "text": "a"})
    zero = await schema.execute(ITEMS, variable_values={"n": 0, "text": "a"})

    # then: both are refused naming the argument, and nothing ran
    for result in (too_large, zero):
        assert result.errors is not None
        assert result.errors[0].extensions == {"code": "BAD_USER_INPUT", "field": "first"}
        assert result.data is None
    assert executed == []
    assert (cache.hits, cache.misses) == (0, 3)


async def test_cached_operation_with_another_string_value_is_not_validated_again() -> None:
    # given: the operation validated and cached
    cache = ValidatedOperations()
    schema = _schema(cache)
    first = await schema.execute(ITEMS, variable_values={"n": 2, "text": "a"})

    # when: it is sent again with another string value
    second = await schema.execute(ITEMS, variable_values={"n": 2, "text": "b"})

    # then: the second run skipped validation and answered with its own value
    assert first.data == {"items": ["a", "a"]}
    assert second.data == {"items": ["b", "b"]}
    assert (cache.hits, cache.misses) == (1, 1)

"""What an HTTP request body must be before GraphQL runs: JSON objects of sane depth, and
batches whose operations stay under ``MAX_QUERY_COST`` together. Refusals are GraphQL error
responses with a contract code, not plain-text 400s."""

from __future__ import annotations

import json

from cross_web import HTTPException
from graphql import GraphQLError, GraphQLSchema, parse
from starlette.responses import JSONResponse, Response
from strawberry.http import GraphQLRequestData

from infra.errors import ErrorCode
from infra.settings import Settings
from schema.limits.cost import operation_cost

# Deeper JSON is no GraphQL request (our deepest input nests 3 levels), and Python's recursion
# (the decoder's, and every walk of the values after it) gives out around 1,000 levels.
MAX_JSON_DEPTH = 64


class BatchTooComplex(Exception):
    """The operations of one batched request cost more than ``MAX_QUERY_COST`` together."""


def nested_deeper_than(value: object, limit: int) -> bool:
    """Whether JSON ``value`` nests arrays/objects more than ``limit`` levels (no recursion)."""
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def decode_body(data: str | bytes) -> object:
    """JSON bodies (and multipart ``operations``/``map``) must be objects, or a non-empty batch
    of objects: anything else is the client's 400, not a crash further down."""
    try:
        value = json.loads(data)
    except UnicodeDecodeError as error:
        raise HTTPException(400, "The request body is not valid UTF-8.") from error
    except RecursionError as error:
        raise HTTPException(400, f"The JSON nests more than {MAX_JSON_DEPTH} levels.") from error
    if nested_deeper_than(value, MAX_JSON_DEPTH):
        raise HTTPException(400, f"The JSON nests more than {MAX_JSON_DEPTH} levels.")
    if isinstance(value, dict):
        return value
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return value
    raise HTTPException(400, "The request body must be a JSON object, or a non-empty array of them.")


def check_batch_cost(schema: GraphQLSchema, batch: list[GraphQLRequestData], settings: Settings) -> None:
    """A batch's operations share one ``MAX_QUERY_COST``: none runs when they pass it together
    (each is also held to it alone, when it is validated)."""
    total = 0
    for item in batch:
        if not isinstance(item.query, str):
            continue
        try:
            document = parse(item.query, no_location=True, max_tokens=settings.max_query_tokens)
        except GraphQLError:
            continue  # refused with its own error when it runs
        variables = item.variables if isinstance(item.variables, dict) else {}
        total += operation_cost(schema, document, item.operation_name, variables, settings)
        if total > settings.max_query_cost:
            raise BatchTooComplex(
                f"The batch costs over {settings.max_query_cost}; the limit is {settings.max_query_cost}."
            )


def refusal(status_code: int, reason: str, *, too_complex: bool = False) -> Response:
    """A request refused before GraphQL ran, as a GraphQL error response."""
    too_many = too_complex or (status_code == 400 and "Too many operations" in reason)
    extensions = (
        {"code": ErrorCode.QUERY_TOO_COMPLEX.value}
        if too_many
        else {"code": ErrorCode.BAD_USER_INPUT.value, "field": "body"}
    )
    body = {"data": None, "errors": [{"message": reason, "extensions": extensions}]}
    return JSONResponse(body, status_code=status_code)

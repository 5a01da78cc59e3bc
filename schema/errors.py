"""The one place where failures become contract error codes (``extensions.code``).

* Domain errors (:mod:`infra.errors`) carry their own code, message, ``field`` and
  ``retryAfter``.
* Errors GraphQL itself raises before execution (syntax, validation, variable coercion, a
  missing or unknown operation) are the client's fault: ``BAD_USER_INPUT`` with the offending
  variable (or ``query``) as ``field``, unless a validation rule already set a code
  (``QUERY_TOO_COMPLEX``). A document the parser gave up on for its token cap (strawberry's
  ``MaxTokensLimiter``) is ``QUERY_TOO_COMPLEX`` too.
* Anything else is a bug or an outage: the client gets a generic ``INTERNAL_SERVER_ERROR``
  with the request id, and the real exception goes to the log. That includes what a
  subscription's source stream raises while it runs (an interrupted stream, a failed query):
  such an error has no path either, but it is no fault of the request. No traceback, SQL or
  path ever reaches a response.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionContext

from infra.errors import DomainError, ErrorCode

log = logging.getLogger("eroom.errors")

INTERNAL_MESSAGE = "Internal server error."
_VARIABLE = re.compile(r"Variable '\$(\w+)'")
_ARGUMENT = re.compile(r"[Aa]rgument '(\w+)'")
_TOO_MANY_TOKENS = re.compile(r"Document contains more than (\d+) tokens")


def too_complex(message: str, nodes: Any = None) -> GraphQLError:
    """An operation over one of the limits: refused before anything executes."""
    return GraphQLError(message, nodes, extensions={"code": ErrorCode.QUERY_TOO_COMPLEX.value})


def _request_id(execution_context: ExecutionContext | None) -> str:
    context: Any = execution_context.context if execution_context else None
    return str(getattr(context, "request_id", "") or "")


# What GraphQL and strawberry raise for a request without a usable operation, before anything
# executes.
_REQUEST_ERRORS = (GraphQLError, MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError)


def _before_execution(error: GraphQLError, original: BaseException | None) -> bool:
    """Syntax, validation and coercion errors: raised by GraphQL itself (no exception of ours
    inside), or pointing into the document (a variable's definition) without a path. An error
    a subscription's source stream raised has neither path nor location: not the client's."""
    if original is None or isinstance(original, _REQUEST_ERRORS):
        return True
    return error.path is None and bool(error.nodes)


def _client_field(message: str) -> str:
    match = _VARIABLE.search(message) or _ARGUMENT.search(message)
    return match.group(1) if match else "query"


def format_error(error: GraphQLError, execution_context: ExecutionContext | None) -> None:
    """Rewrite ``error`` in place so it carries a contract code and nothing internal."""
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    extensions = dict(error.extensions or {})

    if isinstance(original, DomainError):
        error.message = original.message
        error.extensions = {**extensions, **original.extensions}
        return
    tokens = _TOO_MANY_TOKENS.search(error.message) if isinstance(error, GraphQLSyntaxError) else None
    if tokens is not None:
        error.message = f"The operation has more than {tokens.group(1)} tokens."
        error.extensions = {"code": ErrorCode.QUERY_TOO_COMPLEX.value}
        return
    if "code" in extensions and original is None:
        return  # set by a validation rule or a permission class
    if _before_execution(error, original):
        # Before execution (syntax, validation, variable coercion): the request is at fault.
        error.extensions = {
            **extensions,
            "code": ErrorCode.BAD_USER_INPUT.value,
            "field": _client_field(error.message),
        }
        return
    if "code" in extensions and extensions["code"] != ErrorCode.INTERNAL_SERVER_ERROR.value:
        return  # a permission class's own code

    request_id = _request_id(execution_context)
    log.error(
        "unexpected error in %s",
        ".".join(str(part) for part in error.path or []) or "operation",
        exc_info=original,
        extra={"request_id": request_id},
    )
    error.message = INTERNAL_MESSAGE
    error.extensions = {"code": ErrorCode.INTERNAL_SERVER_ERROR.value, "requestId": request_id}

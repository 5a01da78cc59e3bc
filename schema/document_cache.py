"""Parsed documents, reused across requests: strawberry's ``ParserCache``, failures aside.

``ParserCache`` parses inside its ``on_parse`` hook, so a document that fails to parse (a
syntax error, or more tokens than ``MaxTokensLimiter`` allows) raises out of the extension
hooks instead of becoming the operation's error: the operation log and metrics record it as
``ok``, and over WebSocket the operation just completes, with neither an error message nor
the close code strawberry sends for a syntax error. A document that fails is left unparsed
here, so strawberry's own parse step meets the same error and reports it like every other
refusal; that second attempt stops where the first did (the error, or the token cap).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import ParserCache

MAX_DOCUMENTS = 256


class DocumentCache(ParserCache):
    def __init__(self, maxsize: int = MAX_DOCUMENTS) -> None:
        super().__init__(maxsize)

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(context.query, **context.parse_options)
        yield

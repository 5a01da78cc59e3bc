"""Parsed documents and successful validations, reused across requests (one cache per schema)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from graphql import DocumentNode

ValidationKey = tuple[str, tuple[tuple[str, int | None], ...]]


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class DocumentCache:
    """Recently parsed documents, and the operations (text and variables) that passed
    validation, so a repeated operation is neither parsed nor validated again: clients send
    the same few documents over and over, and validating a list query walks every node of it
    with ~30 rules. Failures are never cached (their error objects are per request)."""

    def __init__(self, maxsize: int = 256) -> None:
        self.maxsize = maxsize
        self._documents: OrderedDict[str, DocumentNode] = OrderedDict()
        self._valid: OrderedDict[ValidationKey, None] = OrderedDict()

    def document(self, query: str) -> DocumentNode | None:
        document = self._documents.get(query)
        if document is not None:
            self._documents.move_to_end(query)
        return document

    def add_document(self, query: str, document: DocumentNode) -> None:
        self._documents[query] = document
        self._trim(self._documents)

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
            return True
        return False

    def add_valid(self, key: ValidationKey) -> None:
        self._valid[key] = None
        self._trim(self._valid)

    def _trim(self, entries: OrderedDict[Any, Any]) -> None:
        while len(entries) > self.maxsize:
            entries.popitem(last=False)

"""One log line and one set of metrics per GraphQL operation (HTTP or WebSocket).

The log line carries the request id, the client's operation name, the root fields, the
viewer id, the duration and the error code. Variables are logged only when the operation
failed, and never the values of secrets (passwords, tokens, codes): those are found by the
schema's definitions, whatever the variables are called (:mod:`schema.redaction`).

Metric labels come from the schema, never from the request: an operation is labelled with its
root fields only when each is one of the schema's own; anything else is ``invalid`` (or
``unparsed`` when the document did not parse), so no request can add a time series.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension

from infra.errors import DomainError, ErrorCode
from infra.metrics import Metrics
from schema.redaction import loggable_variables

log = logging.getLogger("eroom.operations")

MAX_ROOT_FIELDS = 3
INVALID = "invalid"
META_FIELDS = frozenset({"__typename", "__schema", "__type"})


def error_code(error: GraphQLError) -> str:
    code = (error.extensions or {}).get("code")
    if isinstance(code, str):
        return code
    original = error.original_error
    if isinstance(original, DomainError):
        return original.code.value
    if original is None or isinstance(original, GraphQLError):
        return ErrorCode.BAD_USER_INPUT.value
    return ErrorCode.INTERNAL_SERVER_ERROR.value


def _chosen_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [o for o in operations if name is None or (o.name is not None and o.name.value == name)]
    return chosen[0] if len(chosen) == 1 else None


def _field_names(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], visited: set[str]
) -> set[str]:
    """The field names of one selection, its fragments included (each once)."""
    names: set[str] = set()
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            names.add(selection.name.value)
        elif isinstance(selection, InlineFragmentNode):
            names |= _field_names(selection.selection_set, fragments, visited)
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in visited:
            visited.add(selection.name.value)
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                names |= _field_names(fragment.selection_set, fragments, visited)
    return names


class OperationObserver(SchemaExtension):
    def __init__(self, *, metrics: Metrics) -> None:
        self.metrics = metrics

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        subscription = False
        with contextlib.suppress(RuntimeError):
            subscription = self._operation_type() == "subscription"
        if subscription:
            self.metrics.subscriptions.inc()
        try:
            yield
        finally:
            if subscription:
                self.metrics.subscriptions.dec()
            self._record(time.perf_counter() - started)

    def _operation_type(self) -> str:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            # not parsed yet: a cheap look at the first keyword is enough for the gauge
            head = context.query.lstrip().split("{", 1)[0].split("(", 1)[0].split()
            return head[0] if head and head[0] in ("query", "mutation", "subscription") else "query"
        return str(context.operation_type.value)

    def _root_fields(self) -> str:
        """The metric label: the operation's root fields when all are the schema's own."""
        context = self.execution_context
        document = context.graphql_document
        if document is None:
            return "unparsed"
        operation = _chosen_operation(document, context.operation_name)
        root = context.schema._schema.get_root_type(operation.operation) if operation else None
        if operation is None or root is None:
            return INVALID
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        names = _field_names(operation.selection_set, fragments, set())
        if not names or not names <= root.fields.keys() | META_FIELDS:
            return INVALID
        return ",".join(sorted(names)[:MAX_ROOT_FIELDS])

    def _errors(self) -> list[GraphQLError]:
        context = self.execution_context
        if context.pre_execution_errors:
            return list(context.pre_execution_errors)
        result = context.result
        return list(result.errors or []) if result is not None else []

    def _record(self, duration: float) -> None:
        operation = self._root_fields()
        try:
            kind = self._operation_type()
        except RuntimeError:
            kind = "unknown"
        errors = self._errors()
        code = error_code(errors[0]) if errors else None
        self.metrics.operations.labels(operation, kind, code or "ok").inc()
        if kind != "subscription":
            self.metrics.latency.labels(operation, kind).observe(duration)

        context: Any = self.execution_context.context
        viewer = getattr(context, "viewer", None)
        entry: dict[str, object] = {
            "operation": operation,
            "operation_name": (self.execution_context.operation_name or "")[:64],
            "operation_type": kind,
            "viewer_id": getattr(viewer, "id", None),
            "duration_ms": round(duration * 1000, 2),
            "code": code,
        }
        if errors:
            execution = self.execution_context
            variables = execution.variables if isinstance(execution.variables, dict) else {}
            entry["variables"] = loggable_variables(
                execution.schema._schema, execution.graphql_document, execution.operation_name, variables
            )
        level = logging.ERROR if code == ErrorCode.INTERNAL_SERVER_ERROR.value else logging.INFO
        log.log(level, "graphql operation", extra=entry)

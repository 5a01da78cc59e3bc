"""Who may call what, declared on the fields: permission classes read the viewer from the
context (never the database); root fields marked :data:`schema.marks.CREDENTIAL_FREE` still run
when the request carries a bad credential."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse
from strawberry.permission import BasePermission
from strawberry.types.base import StrawberryObjectDefinition

from infra.errors import Unauthenticated
from schema.context import Info
from schema.marks import CREDENTIAL_FREE_FIELD


class IsAuthenticated(BasePermission):
    message = "You need to log in."
    error_extensions = {"code": "UNAUTHENTICATED"}
    # Its outcome depends only on whether there is a viewer, not on which one: subscribers of a
    # guarded subscription (roomEvents) can still share one execution per event
    # (subscriptions.fanout.selection_audience).
    same_for_every_viewer = True

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        if info.context.viewer is None:
            # Raise our own error so an expired/invalid token says why.
            raise info.context.auth_refusal or Unauthenticated(info.context.auth_error or self.message)
        return True


# Introspection and __typename reveal nothing about the caller.
_META_FIELDS = {OperationType.QUERY: {"__typename", "__schema", "__type"}}


class CredentialFreeFields:
    """The root fields marked :data:`schema.marks.CREDENTIAL_FREE` (the fields that exist to get a
    new session, and the anonymous probes of the sign-up form), read once from the schema. A
    request with a bad credential is refused with UNAUTHENTICATED as soon as it selects any
    other root field."""

    def __init__(self, schema: strawberry.Schema) -> None:
        self.fields: dict[OperationType, frozenset[str]] = {}
        for operation, type_name in ((OperationType.QUERY, "Query"), (OperationType.MUTATION, "Mutation")):
            definition = schema.get_type_by_name(type_name)
            fields = definition.fields if isinstance(definition, StrawberryObjectDefinition) else []
            marked = {
                schema.config.name_converter.get_graphql_name(field)
                for field in fields
                if field.metadata.get(CREDENTIAL_FREE_FIELD)
            }
            self.fields[operation] = frozenset(marked | _META_FIELDS.get(operation, set()))

    def allow(self, query: str | None, operation_name: str | None, *, max_tokens: int) -> bool:
        """Whether the operation selects only credential-free root fields (fragments at the
        root, or anything unparsable, count as not free)."""
        if not query:
            return False
        try:
            document = parse(query, no_location=True, max_tokens=max_tokens)
        except GraphQLError:
            return False
        operations = [node for node in document.definitions if isinstance(node, OperationDefinitionNode)]
        if operation_name is not None:
            operations = [node for node in operations if node.name and node.name.value == operation_name]
        if len(operations) != 1:
            return False
        allowed = self.fields.get(operations[0].operation, frozenset())
        selections = operations[0].selection_set.selections
        return all(isinstance(node, FieldNode) and node.name.value in allowed for node in selections)

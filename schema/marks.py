"""What a field or an argument declares about itself, in its strawberry ``metadata``.

Declared once, on the definition, and read by whoever needs it; a test walks the schema so a
new field cannot forget to declare:

* how many items a list holds (:func:`bounded`, or :data:`PAGE` for a connection's ``edges``
  and ``nodes``, which hold the page asked for): the operation cost counts that many
  (:mod:`schema.limits.cost`);
* whether one execution of the field may serve every viewer of a subscription group
  (:func:`shareable`, :func:`per_viewer`; :mod:`subscriptions.fanout`). Undeclared fields with a
  resolver run per viewer;
* whether an argument or an input field carries a password, a token or a code
  (:data:`SENSITIVE`): the operation log never shows its value (:mod:`schema.observability`);
* whether a root field still runs when the request carries a bad credential
  (:data:`CREDENTIAL_FREE`: the fields that exist to get a new session; :mod:`schema.permissions`).

Marks combine by merging: ``metadata=shareable(max_items=SEATS)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from graphql import GraphQLArgument, GraphQLField, GraphQLInputField

from resolvers.challenges.rules import LIMIT_ATTENDANCE_MAX
from subscriptions.fanout import ANYONE, SHARING, VIEWER, strawberry_metadata

MAX_ITEMS = "eroom.max_items"
PAGE_ITEMS = "eroom.page_items"
SENSITIVE_VALUE = "eroom.sensitive"
CREDENTIAL_FREE_FIELD = "eroom.credential_free"

# Lists of a challenge's members (memberships, online members) hold at most its seat limit.
SEATS = LIMIT_ATTENDANCE_MAX

Marks = Mapping[str, object]


def _marks(*, sharing: str | None = None, max_items: int | None = None, page: bool = False) -> Marks:
    marks: dict[str, object] = {}
    if sharing is not None:
        marks[SHARING] = sharing
    if max_items is not None:
        marks[MAX_ITEMS] = max_items
    if page:
        marks[PAGE_ITEMS] = True
    return MappingProxyType(marks)


def shareable(*, max_items: int | None = None, page: bool = False) -> Marks:
    """The field's value is the same whoever asks: subscribers may share its execution."""
    return _marks(sharing=ANYONE, max_items=max_items, page=page)


def per_viewer(*, max_items: int | None = None, page: bool = False) -> Marks:
    """The field's value depends on who asks (a permission, a filter, the viewer's own data)."""
    return _marks(sharing=VIEWER, max_items=max_items, page=page)


def bounded(max_items: int) -> Marks:
    """A list field that returns at most ``max_items`` items."""
    return _marks(max_items=max_items)


SHAREABLE = shareable()
PER_VIEWER = per_viewer()
# A connection's `edges` or `nodes`: as many items as the page its field was asked for.
PAGE = _marks(page=True)
SENSITIVE: Marks = MappingProxyType({SENSITIVE_VALUE: True})
CREDENTIAL_FREE: Marks = MappingProxyType({CREDENTIAL_FREE_FIELD: True})


def max_items(field: GraphQLField) -> int | None:
    value = strawberry_metadata(field).get(MAX_ITEMS)
    return value if isinstance(value, int) else None


def holds_page(field: GraphQLField) -> bool:
    return strawberry_metadata(field).get(PAGE_ITEMS) is True


def is_sensitive(definition: GraphQLArgument | GraphQLInputField) -> bool:
    return strawberry_metadata(definition).get(SENSITIVE_VALUE) is True

"""Which roomEvents subscribers of the real schema share one execution per event.

``roomEvents`` is guarded by ``IsAuthenticated``: that guard alone must not split subscribers
per viewer (it did, so nothing was shared), while a viewer-dependent field still must, and so
must any field with a resolver that does not declare itself shareable.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Hashable

import strawberry
from graphql import FragmentDefinitionNode, GraphQLSchema, OperationDefinitionNode, parse

from infra.settings import Settings
from schema.marks import SHAREABLE
from schema.root import build_schema
from subscriptions.fanout import group_key

ROOM_EVENTS = """
subscription RoomEvents($challengeId: ID!) {
  roomEvents(challengeId: $challengeId) {
    type cursor at
    message { id body sender { id nickname } }
  }
}
"""
ROOM_EVENTS_WITH_EMAIL = """
subscription RoomEvents($challengeId: ID!) {
  roomEvents(challengeId: $challengeId) { type member { id email } }
}
"""
SCHEMA = build_schema(Settings())


@strawberry.type
class Thing:
    plain: int

    @strawberry.field(metadata=SHAREABLE)
    def declared(self) -> int:
        return 1

    @strawberry.field
    def undeclared(self) -> int:
        return 1


@strawberry.type
class Query:
    ok: bool = True


@strawberry.type
class Subscription:
    @strawberry.subscription(metadata=SHAREABLE)
    async def things(self) -> AsyncGenerator[Thing, None]:
        yield Thing(plain=1)


THINGS = strawberry.Schema(query=Query, subscription=Subscription)


def key_for(query: str, viewer_id: int | None, schema: GraphQLSchema = SCHEMA._schema) -> Hashable | None:
    document = parse(query)
    operation = next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    return group_key(schema, operation, fragments, {"challengeId": "1"}, viewer_id)


def test_room_events_alike_selection_shares_across_signed_in_viewers() -> None:
    # given the same viewer-independent roomEvents selection from two members
    # when their group keys are computed
    first, second = key_for(ROOM_EVENTS, 1), key_for(ROOM_EVENTS, 2)

    # then they are one group (IsAuthenticated gives both the same outcome)
    assert first is not None
    assert first == second


def test_room_events_anonymous_and_signed_in_never_share() -> None:
    # given the same selection, once anonymous and once signed in
    # when their group keys are computed
    anonymous, signed_in = key_for(ROOM_EVENTS, None), key_for(ROOM_EVENTS, 1)

    # then they differ: the guard refuses one and admits the other
    assert anonymous != signed_in


def test_room_events_viewer_dependent_selection_groups_per_viewer() -> None:
    # given a selection with Member.email, which only its owner may read
    # when two members and the same member twice compute their keys
    one, other, one_again = (key_for(ROOM_EVENTS_WITH_EMAIL, v) for v in (1, 2, 1))

    # then each viewer has a group of their own
    assert one != other
    assert one == one_again


def test_field_with_a_resolver_declaring_nothing_groups_per_viewer() -> None:
    # given: a field declared shareable, a plain attribute, and a resolver that declares nothing
    shared, undeclared = (
        "subscription { things { plain declared } }",
        "subscription { things { undeclared } }",
    )

    # when: two viewers compute their keys for each selection
    shared_keys = {key_for(shared, viewer, THINGS._schema) for viewer in (1, 2)}
    undeclared_keys = {key_for(undeclared, viewer, THINGS._schema) for viewer in (1, 2)}

    # then: only the declared selection is shared; the other runs per viewer
    assert len(shared_keys) == 1
    assert len(undeclared_keys) == 2

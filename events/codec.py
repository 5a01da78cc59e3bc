"""The one codec of bus events: JSON on the wire, typed events in the process.

Decoding is tolerant, because during a rolling deploy two releases share the bus: an event of
a kind this release does not know, or one that does not validate, is skipped and counted,
never fatal; so is a room event of a type it does not know; fields a newer release added are
ignored (and counted).
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Annotated

import orjson
from pydantic import Field, TypeAdapter, ValidationError

from events.member import BusReconnected, MemberLeft, NotificationCreated, RoomClosed, SessionEnded
from events.room import RoomEventPayload, RoomEventType

log = logging.getLogger(__name__)

AnyEvent = RoomEventPayload | NotificationCreated | MemberLeft | RoomClosed | SessionEnded | BusReconnected
_ADAPTER: TypeAdapter[AnyEvent] = TypeAdapter(Annotated[AnyEvent, Field(discriminator="kind")])
KINDS = frozenset(
    str(model.model_fields["kind"].default)
    for model in (RoomEventPayload, NotificationCreated, MemberLeft, RoomClosed, SessionEnded, BusReconnected)
)

ROOM_EVENT_TYPES = frozenset(RoomEventType)

# Why events (or their fields) were skipped: exported as ``eroom_bus_events_skipped_total``.
skipped: Counter[str] = Counter()


def dumps(event: AnyEvent) -> bytes:
    return event.__pydantic_serializer__.to_json(event)


def encode(event: AnyEvent) -> dict[str, object]:
    """The event as a JSON-ready dict (what :func:`decode` reads back)."""
    encoded: dict[str, object] = event.model_dump(mode="json")
    return encoded


def decode(payload: object) -> AnyEvent | None:
    """The typed event of a decoded JSON payload, or None when it is not one of ours."""
    if not isinstance(payload, dict):
        skipped["malformed"] += 1
        return None
    kind = payload.get("kind")
    if kind not in KINDS:
        skipped["unknown_kind"] += 1
        return None
    if kind == "room_event" and payload.get("type") not in ROOM_EVENT_TYPES:
        # A room event type of a newer release (every release adds some): expected during a
        # rolling deploy, so counted quietly rather than logged as invalid.
        skipped["unknown_type"] += 1
        return None
    try:
        event = _ADAPTER.validate_python(payload)
    except ValidationError as error:
        skipped["invalid"] += 1
        log.warning("bus event skipped: %s", error.errors(include_url=False)[:3], extra={"kind": kind})
        return None
    if not payload.keys() <= type(event).model_fields.keys():
        skipped["extra_fields"] += 1
    return event


def loads(data: str | bytes) -> AnyEvent | None:
    """The typed event of a JSON message from the bus, or None (skipped and counted)."""
    try:
        payload = orjson.loads(data)
    except orjson.JSONDecodeError:
        skipped["malformed"] += 1
        return None
    return decode(payload)

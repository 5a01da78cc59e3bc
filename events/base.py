"""The base of every bus event: immutable, and tolerant of fields a newer release adds."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    # frozen: one decoded event is handed to every local subscriber, so nobody may change it.
    # extra="ignore": an event from a newer release with more fields still decodes.
    model_config = ConfigDict(frozen=True, extra="ignore")

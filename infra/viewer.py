"""Who is asking: the authenticated member behind a request or WebSocket connection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Viewer:
    """An authenticated member, as proven by a valid access token (no database read needed)."""

    id: int
    token_id: str
    expires_at: datetime

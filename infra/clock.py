"""The service's one clock. Nothing else reads the system clock for "now" or "today"."""

from __future__ import annotations

import datetime as dt


class Clock:
    """Timezone-aware UTC ``now()`` and the service's calendar ``today()``."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def today(self) -> dt.date:
        return self.now().date()

"""The service's one clock. Nothing else reads the system clock for "now" or "today".

Every timestamp the service writes on a domain row (created, joined, updated, sent) and every
calendar decision (today, this week, has a challenge started or ended) comes from here, so that
``CLOCK_SHIFT_DAYS`` moves all of them together. Token and code expiry (JWT ``exp``/``iat``,
refresh tokens, e-mail codes), rate-limit windows and presence TTLs stay on real time: other
instances validate them, and they measure durations, not calendar days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Asia/Seoul"


def system_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Clock:
    """Timezone-aware UTC ``now()``, shifted by whole days, and the calendar ``today()`` in the
    service's time zone. ``source`` is the one read of the system clock; tests inject their own."""

    def __init__(
        self,
        *,
        shift_days: int = 0,
        zone: ZoneInfo | None = None,
        source: Callable[[], dt.datetime] = system_now,
    ) -> None:
        self.shift_days = shift_days
        self.shift = dt.timedelta(days=shift_days)
        self.zone = zone or ZoneInfo(DEFAULT_TIMEZONE)
        self._source = source

    def shifted(self, days: int) -> Clock:
        """This clock moved ``days`` further ahead (behind, when negative): demo data writes its
        history through the domain functions on such a clock."""
        return Clock(shift_days=self.shift_days + days, zone=self.zone, source=self._source)

    def now(self) -> dt.datetime:
        return self._source() + self.shift

    def local_now(self) -> dt.datetime:
        return self.now().astimezone(self.zone)

    def today(self) -> dt.date:
        return self.local_now().date()

    def day_of(self, moment: dt.datetime) -> dt.date:
        """The calendar day ``moment`` falls on in the service's time zone."""
        return moment.astimezone(self.zone).date()

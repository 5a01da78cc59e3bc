"""Retention: notifications older than NOTIFICATION_RETENTION_DAYS are deleted.

Run by ``python main.py purge`` (e.g. from a daily cron job or a Kubernetes CronJob), not by
a timer inside the API: with several instances, one scheduled command purges once instead of
every instance racing to do it.
"""

from __future__ import annotations

import datetime as dt

from models.notifications import Notification


async def purge_notifications(*, retention_days: int, now: dt.datetime) -> int:
    """Delete notifications created more than ``retention_days`` before ``now`` (the service's
    clock); returns how many."""
    cutoff = now - dt.timedelta(days=retention_days)
    return int(await Notification.filter(created_at__lt=cutoff).delete())

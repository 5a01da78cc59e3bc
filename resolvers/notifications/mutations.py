"""Writing notifications on the member's behalf: marking them read."""

from __future__ import annotations

from models.notifications import Notification


async def mark_notifications_read(*, member_id: int, ids: list[int] | None) -> int:
    """Mark the member's unread notifications among ``ids`` (all when None) as read.

    Other members' ids are silently ignored (they are not the viewer's to change); the
    count says how many rows actually changed.
    """
    unread = Notification.filter(member_id=member_id, read=False)
    if ids is not None:
        if not ids:
            return 0
        unread = unread.filter(id__in=ids)
    return int(await unread.update(read=True))

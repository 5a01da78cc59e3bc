"""Read side of notifications: a member's own, newest first, keyed by their sequence number."""

from __future__ import annotations

from dataclasses import dataclass

from infra.ids import decode_int_cursor
from infra.paging import page_size
from models.notifications import Notification

CURSOR_KIND = "n"  # the same cursor as Notification.cursor and the subscription's `after`


@dataclass(frozen=True, slots=True)
class NotificationPage:
    notifications: list[Notification]
    total_count: int
    unread_count: int
    has_next_page: bool
    has_previous_page: bool


async def list_notifications(
    *, member_id: int, first: int, after: str | None, unread_only: bool
) -> NotificationPage:
    page_size(first, field="first")
    own = Notification.filter(member_id=member_id)
    listed = own.filter(read=False) if unread_only else own
    page = listed
    if after is not None:
        page = page.filter(seq__lt=decode_int_cursor(after, CURSOR_KIND))
    rows = await page.order_by("-seq").limit(first + 1)
    return NotificationPage(
        notifications=rows[:first],
        total_count=await listed.count(),
        unread_count=await own.filter(read=False).count(),
        has_next_page=len(rows) > first,
        has_previous_page=after is not None,
    )

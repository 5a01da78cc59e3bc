"""Writing notifications: inside the caller's transaction, published after its commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F

from events.channels import member_channel
from events.member import NotificationCreated
from infra.services import Publisher
from models.accounts import Member
from models.notifications import Notification, NotificationType


async def create_notification(
    *,
    connection: BaseDBAsyncClient,
    member_id: int,
    type: NotificationType,
    content: str,
    challenge_id: int,
    created_at: dt.datetime,
    proof_id: int | None = None,
    key: str | None = None,
) -> Notification:
    """Store a notification with the member's next sequence number.

    Must run inside the transaction that writes its cause (``connection``). The increment is
    a single UPDATE, so concurrent writers for one member serialise on that row and never
    share a sequence number (the unique (member, seq) index backs this up). A ``key`` makes the
    notice once-only: a second one with the same key fails on its unique index
    (``IntegrityError``), and the caller's transaction rolls back with it.
    """
    await Member.filter(id=member_id).using_db(connection).update(notification_seq=F("notification_seq") + 1)
    seq = (
        await Member.filter(id=member_id)
        .using_db(connection)
        .first()
        .values_list("notification_seq", flat=True)
    )
    return await Notification.create(
        using_db=connection,
        member_id=member_id,
        seq=seq,
        type=type,
        content=content[:255],
        challenge_id=challenge_id,
        proof_id=proof_id,
        key=key,
        created_at=created_at,
    )


async def publish_notifications(bus: Publisher, notifications: Iterable[Notification]) -> None:
    """Announce committed notifications on each recipient's channel (never raises)."""
    for notification in notifications:
        event = NotificationCreated(
            member_id=notification.member_id,  # type: ignore[attr-defined]
            seq=notification.seq,
            notification_id=notification.id,
        )
        await bus.publish(member_channel(event.member_id), event)

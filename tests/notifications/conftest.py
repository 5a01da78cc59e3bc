"""Notification rows made the way the writing domains make them: ``create_notification``
inside a transaction (the API paths that write them are tested in their own domains)."""

from __future__ import annotations

import datetime as dt

from tortoise.transactions import in_transaction

from models.notifications import Notification, NotificationType
from resolvers.notifications.records import create_notification
from tests.support.factories import Account


async def notify(
    account: Account,
    *,
    type: NotificationType = NotificationType.REGISTER,
    challenge_id: int = 1,
    proof_id: int | None = None,
    content: str = "새 알림",
) -> Notification:
    async with in_transaction() as connection:
        return await create_notification(
            connection=connection,
            member_id=account.member.id,
            type=type,
            content=content,
            challenge_id=challenge_id,
            proof_id=proof_id,
            created_at=dt.datetime.now(dt.UTC),
        )

"""Strawberry types of the notifications domain."""

from __future__ import annotations

import strawberry

from infra.ids import encode_cursor
from models import notifications as models
from schema.marks import PAGE, shareable
from schema.scalars import DateTime
from schema.types.pagination import PageInfo

NotificationType = models.NotificationType
strawberry.enum(NotificationType, name="NotificationType")

CURSOR_KIND = "n"


def notification_cursor(seq: int) -> str:
    """A member's notifications are ordered by their per-member sequence number."""
    return encode_cursor(CURSOR_KIND, seq)


@strawberry.type
class Notification:
    id: strawberry.ID
    cursor: str
    type: NotificationType
    content: str
    challenge_id: strawberry.ID
    proof_id: strawberry.ID | None
    read: bool
    created_at: DateTime

    @classmethod
    def from_model(cls, notification: models.Notification) -> Notification:
        return cls(
            id=strawberry.ID(str(notification.id)),
            cursor=notification_cursor(notification.seq),
            type=notification.type,
            content=notification.content,
            challenge_id=strawberry.ID(str(notification.challenge_id)),
            proof_id=strawberry.ID(str(notification.proof_id)) if notification.proof_id else None,
            read=notification.read,
            created_at=notification.created_at,
        )


@strawberry.type
class NotificationEdge:
    cursor: str
    node: Notification


@strawberry.type
class NotificationConnection:
    edges: list[NotificationEdge] = strawberry.field(metadata=PAGE)
    page_info: PageInfo
    total_count: int
    unread_count: int

    @strawberry.field(metadata=shareable(page=True))
    def nodes(self) -> list[Notification]:
        return [edge.node for edge in self.edges]

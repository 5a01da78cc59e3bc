"""Root fields of the notifications domain: the viewer's list and marking them read.

The live ``notifications`` subscription belongs to the real-time domain (``subscriptions/``).
"""

from __future__ import annotations

import strawberry

from infra.ids import parse_id
from resolvers.notifications import mutations, queries
from schema.context import Info
from schema.permissions import IsAuthenticated
from schema.types.notifications import Notification, NotificationConnection, NotificationEdge
from schema.types.pagination import PageInfo


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=[IsAuthenticated], description="The viewer's notifications, newest first."
    )
    async def notifications(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        unread_only: bool | None = False,
    ) -> NotificationConnection:
        page = await queries.list_notifications(
            member_id=info.context.require_viewer().id,
            first=20 if first is None else first,  # an explicit null means the default
            after=after,
            unread_only=bool(unread_only),
        )
        nodes = [Notification.from_model(row) for row in page.notifications]
        edges = [NotificationEdge(cursor=node.cursor, node=node) for node in nodes]
        return NotificationConnection(
            edges=edges,
            total_count=page.total_count,
            unread_count=page.unread_count,
            page_info=PageInfo.of(
                edges,
                has_next_page=page.has_next_page,
                has_previous_page=page.has_previous_page,
            ),
        )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsAuthenticated],
        description="Mark the given notifications (all when ids is null) read; returns how many changed.",
    )
    async def mark_notifications_read(self, info: Info, ids: list[strawberry.ID] | None = None) -> int:
        parsed = [parse_id(value, field="ids") for value in ids] if ids is not None else None
        return await mutations.mark_notifications_read(member_id=info.context.require_viewer().id, ids=parsed)

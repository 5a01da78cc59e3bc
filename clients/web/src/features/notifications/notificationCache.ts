// Notifications from the stream into the cached lists: newest first, once each (by id), and
// the unread badge counted along. Marking read flips the entities and zeroes the badge.
import type { ApolloCache, Reference } from "@apollo/client";

import type { NotificationItemFragment } from "../../gql/graphql";
import { NOTIFICATION_ITEM } from "./operations";

type Edge = { __typename?: string; cursor: string; node: Reference };
type Connection = { edges?: Edge[]; unreadCount?: number; [field: string]: unknown };

export function addNotification(cache: ApolloCache, notification: NotificationItemFragment): void {
  const node = cache.writeFragment({ fragment: NOTIFICATION_ITEM, fragmentName: "NotificationItem", data: notification });
  if (!node) return;
  cache.modify<{ notifications: Connection }>({
    fields: {
      notifications(existing, { readField }) {
        const connection = existing as Connection;
        const edges = connection.edges ?? [];
        if (edges.some((edge) => readField("id", edge.node) === notification.id)) return connection;
        const edge = { __typename: "NotificationEdge", cursor: notification.cursor, node };
        const unread = (connection.unreadCount ?? 0) + (notification.read ? 0 : 1);
        return { ...connection, edges: [edge, ...edges], unreadCount: unread };
      },
    },
  });
}

export function markAllRead(cache: ApolloCache, ids: string[]): void {
  for (const id of ids) {
    cache.modify({ id: cache.identify({ __typename: "Notification", id }), fields: { read: () => true } });
  }
  cache.modify<{ notifications: Connection }>({
    fields: { notifications: (existing) => ({ ...(existing as Connection), unreadCount: 0 }) },
  });
}

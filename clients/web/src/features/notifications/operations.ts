import { graphql } from "../../gql";

export const NOTIFICATION_ITEM = graphql(`
  fragment NotificationItem on Notification {
    id cursor type content challengeId proofId read createdAt
  }
`);

export const NOTIFICATIONS = graphql(`
  query Notifications {
    notifications(first: 10) {
      unreadCount
      edges { cursor node { ...NotificationItem } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const NOTIFICATION_STREAM = graphql(`
  subscription NotificationStream($after: String) {
    notifications(after: $after) { ...NotificationItem }
  }
`);

export const MARK_READ = graphql(`
  mutation MarkNotificationsRead($ids: [ID!]) {
    markNotificationsRead(ids: $ids)
  }
`);

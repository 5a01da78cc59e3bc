// Replies, edits, reactions, pins and read positions: what a message and a room carry beyond
// their text, and the mutations that change them. Every mutation answers with the changed
// Message or Room, which Apollo writes into the cache entry of that id: no manual update.
import { graphql } from "../../gql";

export const MESSAGE_EXTRAS = graphql(`
  fragment MessageExtras on Message {
    editedAt
    replyTo { id body sender { id nickname } }
    reactions { emoji count viewerReacted }
  }
`);

export const ROOM_READING = graphql(`
  fragment RoomReading on Room {
    id unreadCount lastReadCursor
    pinnedMessage { id body sender { id nickname } }
  }
`);

export const EDIT_MESSAGE = graphql(`
  mutation EditMessage($id: ID!, $body: String!) {
    editMessage(id: $id, body: $body) { id body editedAt }
  }
`);

export const REACT_TO_MESSAGE = graphql(`
  mutation ReactToMessage($id: ID!, $emoji: String!, $reacted: Boolean!) {
    reactToMessage(id: $id, emoji: $emoji, reacted: $reacted) { id reactions { emoji count viewerReacted } }
  }
`);

export const PIN_MESSAGE = graphql(`
  mutation PinMessage($challengeId: ID!, $messageId: ID) {
    pinMessage(challengeId: $challengeId, messageId: $messageId) { id pinnedMessage { id body sender { id nickname } } }
  }
`);

export const MARK_ROOM_READ = graphql(`
  mutation MarkRoomRead($challengeId: ID!, $cursor: String!) {
    markRoomRead(challengeId: $challengeId, cursor: $cursor) { id unreadCount lastReadCursor }
  }
`);

export const ROOM_UNREAD = graphql(`
  query RoomUnread($challengeId: ID!) {
    room(challengeId: $challengeId) { id unreadCount }
  }
`);

export const MY_ROOMS = graphql(`
  query MyRooms($after: String) {
    myRooms(first: 20, after: $after) {
      edges {
        cursor
        node {
          id unreadCount
          challenge { id title }
          lastMessage { id body createdAt sender { id nickname } }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

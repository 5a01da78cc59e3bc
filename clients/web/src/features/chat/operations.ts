import { graphql } from "../../gql";

export const CHAT_MESSAGE = graphql(`
  fragment ChatMessage on Message {
    id cursor body createdAt
    sender { id nickname profileImageUrl }
    ...MessageExtras
  }
`);

export const ROOM_PRESENCE = graphql(`
  fragment RoomPresence on Room {
    id
    onlineMembers { id nickname profileImageUrl }
  }
`);

export const CHAT_ROOM = graphql(`
  query ChatRoom($challengeId: ID!, $before: String) {
    room(challengeId: $challengeId) {
      ...RoomPresence
      ...RoomLive
      ...RoomReading
      messages(last: 30, before: $before) {
        edges { cursor node { ...ChatMessage } }
        pageInfo { hasPreviousPage startCursor }
      }
    }
  }
`);

export const ROOM_EVENTS = graphql(`
  subscription RoomEvents($challengeId: ID!, $after: String) {
    roomEvents(challengeId: $challengeId, after: $after) {
      type cursor messageId at
      message { ...ChatMessage }
      member { id nickname }
      onlineMembers { id nickname profileImageUrl }
      ...RoomEventExtras
    }
  }
`);

export const SEND_MESSAGE = graphql(`
  mutation SendMessage($challengeId: ID!, $body: String!, $clientMessageId: String, $replyToId: ID) {
    sendMessage(challengeId: $challengeId, body: $body, clientMessageId: $clientMessageId, replyToId: $replyToId) {
      ...ChatMessage
    }
  }
`);

export const DELETE_MESSAGE = graphql(`
  mutation DeleteMessage($id: ID!) {
    deleteMessage(id: $id)
  }
`);

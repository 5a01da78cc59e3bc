// The one place where room events change the cache. Every event kind merges into the entities
// Apollo already holds, by id: a MESSAGE appends to Room.messages unless that message is there
// (a replay after a reconnect, or our own message already added from the mutation's answer),
// a DELETE removes it, and every event carries the room's presence. Kinds this build does not
// know (a newer server) change nothing but presence. Edits and reactions (next API version)
// slot in as cases that write the message by id.
import type { ApolloCache, Reference } from "@apollo/client";

import type { ChatMessageFragment, RoomEventsSubscription } from "../../gql/graphql";
import { CHAT_MESSAGE, ROOM_PRESENCE } from "./operations";

export type RoomEvent = RoomEventsSubscription["roomEvents"];
type Edge = { __typename?: string; cursor: string; node: Reference };
type Connection = { edges?: Edge[]; [field: string]: unknown };

function roomRef(cache: ApolloCache, roomId: string): string | undefined {
  return cache.identify({ __typename: "Room", id: roomId });
}

export function addMessage(cache: ApolloCache, roomId: string, message: ChatMessageFragment): void {
  const room = roomRef(cache, roomId);
  const node = cache.writeFragment({ fragment: CHAT_MESSAGE, fragmentName: "ChatMessage", data: message });
  if (!room || !node) return;
  cache.modify<{ messages: Connection }>({
    id: room,
    fields: {
      messages(existing, { readField }) {
        const connection = existing as Connection;
        const edges = connection.edges ?? [];
        if (edges.some((edge) => readField("id", edge.node) === message.id)) return connection;
        return { ...connection, edges: [...edges, { __typename: "MessageEdge", cursor: message.cursor, node }] };
      },
    },
  });
}

function removeMessage(cache: ApolloCache, roomId: string, messageId: string): void {
  const room = roomRef(cache, roomId);
  if (!room) return;
  cache.modify<{ messages: Connection }>({
    id: room,
    fields: {
      messages(existing, { readField }) {
        const connection = existing as Connection;
        const edges = (connection.edges ?? []).filter((edge) => readField("id", edge.node) !== messageId);
        return { ...connection, edges };
      },
    },
  });
  cache.evict({ id: cache.identify({ __typename: "Message", id: messageId }) });
}

export function applyRoomEvent(cache: ApolloCache, roomId: string, event: RoomEvent): void {
  switch (event.type) {
    case "MESSAGE":
      if (event.message) addMessage(cache, roomId, event.message);
      break;
    case "DELETE":
      if (event.messageId) removeMessage(cache, roomId, event.messageId);
      break;
    default:
      break;
  }
  cache.writeFragment({
    id: roomRef(cache, roomId),
    fragment: ROOM_PRESENCE,
    fragmentName: "RoomPresence",
    data: { id: roomId, onlineMembers: event.onlineMembers },
  });
}

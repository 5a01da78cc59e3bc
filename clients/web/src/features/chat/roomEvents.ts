// The one place where room events change the cache. Every event kind merges into the entities
// Apollo already holds, by id, so a replay after a reconnect changes nothing twice:
// - MESSAGE appends to Room.messages unless that message is there (a replay, or our own message
//   already added from the mutation's answer), and its sender stops typing;
// - DELETE removes it (and the pin, if it was the pinned one);
// - EDIT and REACTION carry the message's state after the change: written to `Message:<id>`,
//   every view of it (the list, a reply's quote, the pin) updates; `reactions.viewerReacted` is
//   the subscriber's own, since the server runs viewer-dependent fields per viewer;
// - PIN writes `Room:<id>.pinnedMessage` (null when unpinned);
// - JOIN, LEAVE and STATUS carry the room's presence with statuses;
// - TYPING adds or removes the member from `Room:<id>.typingMembers`; a member whose typing
//   stops without a `typing: false` (a closed tab) drops off after the server's TYPING_TTL.
// Kinds this build does not know (a newer server) change nothing but the online list.
import type { ApolloCache, Reference } from "@apollo/client";

import type { ChatMessageFragment, RoomEventsSubscription } from "../../gql/graphql";
import { ROOM_STATUSES, ROOM_TYPING } from "./liveOperations";
import { CHAT_MESSAGE, ROOM_PRESENCE } from "./operations";

export type RoomEvent = RoomEventsSubscription["roomEvents"];
type Edge = { __typename?: string; cursor: string; node: Reference };
type Connection = { edges?: Edge[]; [field: string]: unknown };
type Typist = { __typename?: "Member"; id: string; nickname: string };

/** The server forgets a typist TYPING_TTL (5 s) after their last setTyping(true); so do we. */
export const TYPING_TTL_MS = 5_000;
const typingTimers = new Map<string, ReturnType<typeof setTimeout>>();

function roomRef(cache: ApolloCache, roomId: string): string | undefined {
  return cache.identify({ __typename: "Room", id: roomId });
}

function writeMessage(cache: ApolloCache, message: ChatMessageFragment): Reference | undefined {
  return cache.writeFragment({ fragment: CHAT_MESSAGE, fragmentName: "ChatMessage", data: message });
}

export function addMessage(cache: ApolloCache, roomId: string, message: ChatMessageFragment): void {
  const room = roomRef(cache, roomId);
  const node = writeMessage(cache, message);
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
  cache.modify<{ messages: Connection; pinnedMessage: Reference | null }>({
    id: room,
    fields: {
      messages(existing, { readField }) {
        const connection = existing as Connection;
        const edges = (connection.edges ?? []).filter((edge) => readField("id", edge.node) !== messageId);
        return { ...connection, edges };
      },
      pinnedMessage(existing, { readField }) {
        return existing && readField("id", existing as Reference) === messageId ? null : existing;
      },
    },
  });
  cache.evict({ id: cache.identify({ __typename: "Message", id: messageId }) });
}

function setPinned(cache: ApolloCache, roomId: string, message: ChatMessageFragment | null | undefined): void {
  const room = roomRef(cache, roomId);
  const node = message ? writeMessage(cache, message) : null;
  if (!room) return;
  cache.modify<{ pinnedMessage: Reference | null }>({ id: room, fields: { pinnedMessage: () => node ?? null } });
}

/** Adds or removes a typist; a typist drops off by themself TYPING_TTL after the last call. */
export function setTypist(cache: ApolloCache, roomId: string, member: Typist, typing: boolean): void {
  const id = roomRef(cache, roomId);
  const room = cache.readFragment({ id, fragment: ROOM_TYPING, fragmentName: "RoomTyping" });
  if (!room) return;
  const others = room.typingMembers.filter((typist) => typist.id !== member.id);
  const typingMembers = typing ? [...others, { __typename: "Member", id: member.id, nickname: member.nickname }] : others;
  if (typing || others.length !== room.typingMembers.length) {
    cache.writeFragment({ id, fragment: ROOM_TYPING, fragmentName: "RoomTyping", data: { ...room, typingMembers } });
  }
  const key = `${roomId}:${member.id}`;
  clearTimeout(typingTimers.get(key));
  typingTimers.delete(key);
  if (typing) typingTimers.set(key, setTimeout(() => setTypist(cache, roomId, member, false), TYPING_TTL_MS + 1_000));
}

function applyMessageEvent(cache: ApolloCache, roomId: string, event: RoomEvent): void {
  switch (event.type) {
    case "MESSAGE":
      if (!event.message) return;
      addMessage(cache, roomId, event.message);
      setTypist(cache, roomId, event.message.sender, false);
      return;
    case "DELETE":
      if (event.messageId) removeMessage(cache, roomId, event.messageId);
      return;
    case "EDIT":
    case "REACTION":
      if (event.message) writeMessage(cache, event.message);
      return;
    case "PIN":
      setPinned(cache, roomId, event.message);
      return;
    default:
      return;
  }
}

function applyLiveEvent(cache: ApolloCache, roomId: string, event: RoomEvent): void {
  switch (event.type) {
    case "LEAVE":
      if (event.member) setTypist(cache, roomId, event.member, false);
      return;
    case "TYPING":
      if (event.member) setTypist(cache, roomId, event.member, event.typing ?? false);
      return;
    default:
      return;
  }
}

/** Whether the event carries the room's presence with statuses (every event carries onlineMembers). */
export function carriesStatuses(event: RoomEvent): boolean {
  return event.type === "JOIN" || event.type === "LEAVE" || event.type === "STATUS";
}

/** The room's presence as ``event`` tells it: Room.onlineMembers, and Room.presence when it carries statuses. */
export function applyPresence(cache: ApolloCache, roomId: string, event: RoomEvent): void {
  const id = roomRef(cache, roomId);
  if (carriesStatuses(event)) {
    cache.writeFragment({ id, fragment: ROOM_STATUSES, fragmentName: "RoomStatuses", data: { id: roomId, presence: event.presence } });
  }
  cache.writeFragment({ id, fragment: ROOM_PRESENCE, fragmentName: "RoomPresence", data: { id: roomId, onlineMembers: event.onlineMembers } });
}

export function applyRoomEvent(cache: ApolloCache, roomId: string, event: RoomEvent): void {
  applyMessageEvent(cache, roomId, event);
  applyLiveEvent(cache, roomId, event);
  applyPresence(cache, roomId, event);
}

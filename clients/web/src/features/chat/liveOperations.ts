// The live-only side of a room: who is here with which status ("studying now"), and who is
// typing. Neither is ever replayed; both arrive as RoomEvents (STATUS, TYPING, and the
// presence on JOIN and LEAVE) and are also readable on Room for a screen that just opened.
import { graphql } from "../../gql";

export const ROOM_STATUSES = graphql(`
  fragment RoomStatuses on Room {
    id
    presence { status since member { id nickname profileImageUrl } }
  }
`);

export const ROOM_TYPING = graphql(`
  fragment RoomTyping on Room {
    id
    typingMembers { id nickname }
  }
`);

export const ROOM_LIVE = graphql(`
  fragment RoomLive on Room {
    ...RoomStatuses
    ...RoomTyping
  }
`);

export const ROOM_EVENT_EXTRAS = graphql(`
  fragment RoomEventExtras on RoomEvent {
    emoji reacted typing
    presence { status since member { id nickname profileImageUrl } }
  }
`);

export const SET_PRESENCE_STATUS = graphql(`
  mutation SetPresenceStatus($challengeId: ID!, $status: PresenceStatus!) {
    setPresenceStatus(challengeId: $challengeId, status: $status) { status since member { id } }
  }
`);

export const SET_TYPING = graphql(`
  mutation SetTyping($challengeId: ID!, $typing: Boolean!) {
    setTyping(challengeId: $challengeId, typing: $typing)
  }
`);

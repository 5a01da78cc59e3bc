// A chat screen's typing indicator with Apollo Client 4, against a running E-room server.
// Run by tests/clients/test_apollo_client.py with two members of one challenge: the typist and
// the watcher. The watcher's screen queries its Room, subscribes to roomEvents through
// GraphQLWsLink, and merges each TYPING event into Room:<id>.typingMembers in its cache (by id),
// so every query watching the room re-renders. Prints one RESULT line for the test to check.
import { gql } from "@apollo/client";
import { ReplaySubject, filter, firstValueFrom, timeout } from "rxjs";

import { makeClient } from "./client.mjs";

const env = process.env;
const httpUrl = env.EROOM_HTTP_URL;
const wsUrl = env.EROOM_WS_URL;
const challengeId = env.EROOM_CHALLENGE_ID;
const WAIT_MS = 15000;

const ROOM = gql`
  query Room($challengeId: ID!) {
    room(challengeId: $challengeId) {
      id
      typingMembers { id nickname }
      presence { member { id } status }
    }
  }
`;
const ROOM_EVENTS = gql`
  subscription RoomEvents($challengeId: ID!) {
    roomEvents(challengeId: $challengeId) { type typing member { id nickname } }
  }
`;
const SET_TYPING = gql`
  mutation SetTyping($challengeId: ID!, $typing: Boolean) {
    setTyping(challengeId: $challengeId, typing: $typing)
  }
`;

/** Merge a TYPING event into the room's cached typingMembers (the member by reference). */
export function applyTyping(cache, roomId, event) {
  if (event.type !== "TYPING") return;
  cache.modify({
    id: cache.identify({ __typename: "Room", id: roomId }),
    fields: {
      typingMembers(existing = [], { readField, toReference }) {
        const others = existing.filter((ref) => readField("id", ref) !== event.member.id);
        if (!event.typing) return others;
        return [...others, toReference({ __typename: "Member", id: event.member.id })];
      },
    },
  });
}

/** One live roomEvents subscription: every event, replayable, after `onEvent` saw it. */
function live(client, variables, onEvent = () => {}) {
  const events = new ReplaySubject();
  client.subscribe({ query: ROOM_EVENTS, variables }).subscribe({
    next: ({ data, error }) => {
      if (error) return events.error(error);
      onEvent(data.roomEvents);
      events.next(data.roomEvents);
    },
    error: (error) => events.error(error),
  });
  return events;
}

/** The first event (so far or to come) that passes `accept`. */
function first(events, accept) {
  return firstValueFrom(events.pipe(filter(accept), timeout(WAIT_MS)));
}

async function main() {
  const watcher = makeClient({ httpUrl, wsUrl, session: { accessToken: env.EROOM_WATCHER_TOKEN } });
  const typist = makeClient({ httpUrl, wsUrl, session: { accessToken: env.EROOM_TYPIST_TOKEN } });
  const variables = { challengeId };

  // 1. the watcher's chat screen: the room query, watched, and the live events merged into it
  const screen = watcher.client.watchQuery({ query: ROOM, variables });
  const shown = [];
  screen.subscribe(({ data, dataState }) => {
    if (dataState === "complete") shown.push(data.room.typingMembers.map((member) => member.nickname));
  });
  const { data: loaded } = await firstValueFrom(
    screen.pipe(filter((result) => result.dataState === "complete"), timeout(WAIT_MS)),
  );
  const roomId = loaded.room.id;
  const watcherEvents = live(watcher.client, variables, (event) =>
    applyTyping(watcher.client.cache, roomId, event),
  );
  await first(watcherEvents, (event) => event.type === "JOIN" && event.member.id === env.EROOM_WATCHER_ID);

  // 2. the typist opens the room (a live subscription is what lets them type there)
  const typistEvents = live(typist.client, variables);
  const typistJoined = first(typistEvents, (event) => event.type === "JOIN" && event.member.id === env.EROOM_TYPIST_ID);
  const typistSeen = first(watcherEvents, (event) => event.type === "JOIN" && event.member.id === env.EROOM_TYPIST_ID);
  await Promise.all([typistJoined, typistSeen]);

  // 3. the typist types: the TYPING event reaches the watcher and lands in the cached Room
  const started = first(watcherEvents, (event) => event.type === "TYPING" && event.typing);
  const { data: typed } = await typist.client.mutate({ mutation: SET_TYPING, variables: { challengeId, typing: true } });
  await started;
  const whileTyping = watcher.client.readQuery({ query: ROOM, variables });

  // 4. the typist stops: the indicator goes
  const stopped = first(watcherEvents, (event) => event.type === "TYPING" && !event.typing);
  await typist.client.mutate({ mutation: SET_TYPING, variables: { challengeId, typing: false } });
  await stopped;
  const afterStop = watcher.client.readQuery({ query: ROOM, variables });

  // 5. the server agrees with what the cache showed
  const { data: fresh } = await watcher.client.query({ query: ROOM, variables, fetchPolicy: "network-only" });

  await Promise.all([watcher, typist].map(({ wsClient }) => wsClient.dispose()));
  console.log(
    "RESULT " +
      JSON.stringify({
        roomId,
        setTyping: typed.setTyping,
        cachedWhileTyping: whileTyping.room.typingMembers,
        cachedAfterStop: afterStop.room.typingMembers,
        rendered: shown,
        serverAfterStop: fresh.room.typingMembers,
        cacheKey: watcher.client.cache.identify({ __typename: "Room", id: roomId }),
      }),
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);

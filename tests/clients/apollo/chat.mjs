// Apollo Client 4 on a chat screen: a member's edit and reaction arrive through GraphQLWsLink
// and are merged into the leader's normalised cache by id (`Message:<id>`), so the history
// query the screen watches shows them without a refetch.
// Run by tests/clients/test_apollo_client.py with two members' tokens and their challenge id;
// it prints a RESULT line that the test checks, with the database.
import { gql } from "@apollo/client";
import { filter, firstValueFrom, timeout } from "rxjs";

import { makeClient } from "./client.mjs";

const env = process.env;
const httpUrl = env.EROOM_HTTP_URL;
const wsUrl = env.EROOM_WS_URL;
const challengeId = env.EROOM_CHALLENGE_ID;
const WAIT_MS = 15000;
const THUMBS_UP = "\u{1F44D}";

const MESSAGE_FIELDS = gql`
  fragment ChatMessage on Message {
    id cursor body editedAt
    sender { id }
    reactions { emoji count viewerReacted }
  }
`;
const SEND_MESSAGE = gql`
  mutation SendMessage($challengeId: ID!, $body: String!) {
    sendMessage(challengeId: $challengeId, body: $body) { ...ChatMessage }
  }
  ${MESSAGE_FIELDS}
`;
const EDIT_MESSAGE = gql`
  mutation EditMessage($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { id } }
`;
const REACT = gql`
  mutation React($id: ID!, $emoji: String!) { reactToMessage(id: $id, emoji: $emoji) { id } }
`;
const HISTORY = gql`
  query History($challengeId: ID!) {
    room(challengeId: $challengeId) { id messages(last: 20) { nodes { ...ChatMessage } } }
  }
  ${MESSAGE_FIELDS}
`;
const ROOM_EVENTS = gql`
  subscription RoomEvents($challengeId: ID!) {
    roomEvents(challengeId: $challengeId) { type cursor emoji reacted member { id } message { ...ChatMessage } }
  }
  ${MESSAGE_FIELDS}
`;

/** An Apollo subscription as a queue: `next(accept)` waits for the next event that passes. */
function eventQueue(observable) {
  const pending = [];
  const waiting = [];
  const subscription = observable.subscribe({
    next: ({ data, error }) => {
      const item = error ? { error } : { data };
      const waiter = waiting.shift();
      if (waiter) waiter(item);
      else pending.push(item);
    },
  });
  const take = () =>
    pending.length ? Promise.resolve(pending.shift()) : new Promise((resolve) => waiting.push(resolve));
  return {
    async next(accept) {
      const deadline = Date.now() + WAIT_MS;
      while (Date.now() < deadline) {
        const timer = new Promise((resolve) => setTimeout(() => resolve({ timeout: true }), deadline - Date.now()));
        const item = await Promise.race([take(), timer]);
        if (item.timeout) break;
        if (item.error) throw item.error;
        if (accept(item.data.roomEvents)) return item.data.roomEvents;
      }
      throw new Error("timed out waiting for a room event");
    },
    close: () => subscription.unsubscribe(),
  };
}

async function main() {
  const leader = makeClient({ httpUrl, wsUrl, session: { accessToken: env.EROOM_LEADER_TOKEN } });
  const member = makeClient({ httpUrl, wsUrl, session: { accessToken: env.EROOM_MEMBER_TOKEN } });

  // the member posts; the leader's screen watches the history and listens to the room
  const { data: sent } = await member.client.mutate({
    mutation: SEND_MESSAGE,
    variables: { challengeId, body: "typo in this mesage" },
  });
  const messageId = sent.sendMessage.id;
  const watch = leader.client.watchQuery({ query: HISTORY, variables: { challengeId } });
  await firstValueFrom(watch.pipe(filter((result) => result.dataState === "complete"), timeout(WAIT_MS)));
  const events = eventQueue(leader.client.subscribe({ query: ROOM_EVENTS, variables: { challengeId } }));
  await events.next((event) => event.type === "JOIN" && event.member.id === env.EROOM_LEADER_ID);

  // the member edits the message: an EDIT arrives and Message:<id> takes the new body
  await member.client.mutate({ mutation: EDIT_MESSAGE, variables: { id: messageId, body: "no typo in this message" } });
  const edit = await events.next((event) => event.type === "EDIT");
  const afterEdit = leader.client.cache.extract()[`Message:${messageId}`];

  // the member reacts: a REACTION arrives and Message:<id> takes the reactions
  await member.client.mutate({ mutation: REACT, variables: { id: messageId, emoji: THUMBS_UP } });
  const reaction = await events.next((event) => event.type === "REACTION");
  const afterReaction = leader.client.cache.extract()[`Message:${messageId}`];

  // the watched history shows both without a network request of its own
  const shown = await firstValueFrom(
    watch.pipe(
      filter((result) => result.data?.room?.messages.nodes.some((node) => node.reactions.length > 0)),
      timeout(WAIT_MS),
    ),
  );
  const node = shown.data.room.messages.nodes.find((item) => item.id === messageId);
  events.close();
  await Promise.all([leader, member].map(({ wsClient }) => wsClient.dispose()));
  console.log(
    "RESULT " +
      JSON.stringify({
        messageId,
        editEvent: { type: edit.type, messageId: edit.message.id, hasCursor: edit.cursor !== null },
        cachedAfterEdit: { body: afterEdit.body, edited: afterEdit.editedAt !== null },
        reactionEvent: { emoji: reaction.emoji, reacted: reaction.reacted, member: reaction.member.id },
        cachedAfterReaction: afterReaction.reactions,
        history: { body: node.body, reactions: node.reactions },
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

// Apollo Client 4 against a running E-room server, the way the React frontend uses it.
// Run by tests/clients/test_apollo_client.py, which passes the server URLs, a sign-up code
// read from the SMTP sink, a second member's token and a unique search keyword via env,
// then checks the printed RESULT line and the database.
import { gql } from "@apollo/client";
import { filter, firstValueFrom, timeout } from "rxjs";

import { makeClient } from "./client.mjs";

const env = process.env;
const httpUrl = env.EROOM_HTTP_URL;
const wsUrl = env.EROOM_WS_URL;
const keyword = env.EROOM_KEYWORD;
const WAIT_MS = 15000;

// The smallest valid PNG (1x1): the server sniffs the content, not the name.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

const SIGN_UP = gql`
  mutation SignUp($input: SignUpInput!) {
    signUp(input: $input) { member { id nickname } }
  }
`;
const LOG_IN = gql`
  mutation LogIn($email: String!, $password: String!) {
    logIn(email: $email, password: $password) {
      accessToken refreshToken accessTokenExpiresAt member { id nickname email }
    }
  }
`;
const CREATE_CHALLENGE = gql`
  mutation CreateChallenge($input: CreateChallengeInput!, $thumbnail: Upload) {
    createChallenge(input: $input, thumbnail: $thumbnail) {
      id title thumbnailImageUrl currentAttendance viewerRole leader { id }
    }
  }
`;
const JOIN_CHALLENGE = gql`
  mutation JoinChallenge($id: ID!) {
    joinChallenge(id: $id) { role member { id } challenge { id currentAttendance } }
  }
`;
const SEND_MESSAGE = gql`
  mutation SendMessage($challengeId: ID!, $body: String!, $clientMessageId: String) {
    sendMessage(challengeId: $challengeId, body: $body, clientMessageId: $clientMessageId) {
      id cursor body sender { id }
    }
  }
`;
const ROOM_EVENTS = gql`
  subscription RoomEvents($challengeId: ID!, $after: String) {
    roomEvents(challengeId: $challengeId, after: $after) {
      type cursor at message { id cursor body sender { id nickname } } member { id }
    }
  }
`;
const NOTIFICATIONS = gql`
  query Notifications($first: Int) {
    notifications(first: $first) {
      unreadCount
      edges { cursor node { id type challengeId read } }
    }
  }
`;
const NOTIFICATION_STREAM = gql`
  subscription NotificationStream($after: String) {
    notifications(after: $after) { id cursor type content challengeId read }
  }
`;
const CHALLENGES = gql`
  query Challenges($filter: ChallengeFilter, $first: Int, $after: String) {
    challenges(filter: $filter, first: $first, after: $after) {
      totalCount
      edges { cursor node { id title } }
      pageInfo { hasNextPage endCursor }
    }
  }
`;
const REFRESH = gql`
  mutation Refresh($refreshToken: String) {
    refreshTokens(refreshToken: $refreshToken) { accessToken refreshToken }
  }
`;

function isoDate(daysFromToday) {
  return new Date(Date.now() + daysFromToday * 86400000).toISOString().slice(0, 10);
}

function challengeInput(n) {
  return {
    title: `${keyword} study ${n}`,
    category: "IT",
    description: `Apollo end-to-end challenge ${n}`,
    startDate: isoDate(1),
    dueDate: isoDate(30),
    frequency: "DAILY",
    authExplanation: "A screenshot",
    limitAttendance: 5,
  };
}

/** Collect `count` values from an Apollo subscription that pass `accept`. */
function collect(observable, accept, count) {
  return new Promise((resolve, reject) => {
    const found = [];
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      reject(new Error(`timed out with ${found.length}/${count} events`));
    }, WAIT_MS);
    const subscription = observable.subscribe({
      next: ({ data, error }) => {
        if (error) {
          clearTimeout(timer);
          subscription.unsubscribe();
          reject(error);
          return;
        }
        if (!accept(data)) return;
        found.push(data);
        if (found.length === count) {
          clearTimeout(timer);
          subscription.unsubscribe();
          resolve(found);
        }
      },
      error: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    });
  });
}

async function main() {
  // 1. sign up with the mailed code, then log in
  const anonymous = makeClient({ httpUrl, wsUrl, session: {} });
  await anonymous.client.mutate({
    mutation: SIGN_UP,
    variables: {
      input: {
        email: env.EROOM_EMAIL,
        password: env.EROOM_PASSWORD,
        nickname: env.EROOM_NICKNAME,
        verificationCode: env.EROOM_CODE,
      },
    },
  });
  const { data: login } = await anonymous.client.mutate({
    mutation: LOG_IN,
    variables: { email: env.EROOM_EMAIL, password: env.EROOM_PASSWORD },
  });
  const session = { accessToken: login.logIn.accessToken, refreshToken: login.logIn.refreshToken };
  const firstRefreshToken = session.refreshToken;
  const leader = makeClient({ httpUrl, wsUrl, session });
  const member = makeClient({ httpUrl, wsUrl, session: { accessToken: env.EROOM_MEMBER_TOKEN } });

  // 2. create challenges, the first with a thumbnail file (multipart upload)
  const thumbnail = new File([PNG], "thumbnail.png", { type: "image/png" });
  const created = [];
  for (let n = 1; n <= 5; n += 1) {
    const { data } = await leader.client.mutate({
      mutation: CREATE_CHALLENGE,
      variables: { input: challengeInput(n), thumbnail: n === 1 ? thumbnail : null },
    });
    created.push(data.createChallenge);
  }
  const [first, second] = created;

  // 3. the second member joins the first challenge
  const { data: joined } = await member.client.mutate({
    mutation: JOIN_CHALLENGE,
    variables: { id: first.id },
  });

  // 4. the leader subscribes to the room from a known cursor; the member's messages arrive
  const { data: opening } = await leader.client.mutate({
    mutation: SEND_MESSAGE,
    variables: { challengeId: first.id, body: "welcome", clientMessageId: "apollo-welcome" },
  });
  const roomEvents = leader.client.subscribe({
    query: ROOM_EVENTS,
    variables: { challengeId: first.id, after: opening.sendMessage.cursor },
  });
  const received = collect(roomEvents, (data) => data.roomEvents.type === "MESSAGE", 2);
  const bodies = ["hello from apollo 1", "hello from apollo 2"];
  for (const [index, body] of bodies.entries()) {
    await member.client.mutate({
      mutation: SEND_MESSAGE,
      variables: { challengeId: first.id, body, clientMessageId: `apollo-${index}` },
    });
  }
  const messageEvents = (await received).map((data) => data.roomEvents);

  // 5. an expired/invalid access token: the ErrorLink refreshes the tokens and retries
  session.accessToken = `${session.accessToken}x`;
  const { data: inbox } = await leader.client.query({
    query: NOTIFICATIONS,
    variables: { first: 20 },
    fetchPolicy: "network-only",
  });
  const joinedNotice = inbox.notifications.edges.find((edge) => edge.node.challengeId === first.id);

  // 6. resume the notification stream after the last one seen; the next join arrives live
  const notices = collect(
    leader.client.subscribe({ query: NOTIFICATION_STREAM, variables: { after: joinedNotice.cursor } }),
    (data) => data.notifications.challengeId === second.id,
    1,
  );
  await member.client.mutate({ mutation: JOIN_CHALLENGE, variables: { id: second.id } });
  const [notice] = await notices;

  // 7. page the challenge list with fetchMore; the typePolicy merges the pages in the cache
  const watch = leader.client.watchQuery({
    query: CHALLENGES,
    variables: { filter: { query: keyword }, first: 2 },
  });
  const loaded = await firstValueFrom(
    watch.pipe(filter((result) => result.dataState === "complete"), timeout(WAIT_MS)),
  );
  const pageSizes = [loaded.data.challenges.edges.length];
  let pageInfo = loaded.data.challenges.pageInfo;
  while (pageInfo.hasNextPage) {
    const more = await watch.fetchMore({ variables: { after: pageInfo.endCursor } });
    pageSizes.push(more.data.challenges.edges.length);
    pageInfo = more.data.challenges.pageInfo;
  }
  const cached = leader.client.readQuery({
    query: CHALLENGES,
    variables: { filter: { query: keyword }, first: 2 },
  });

  // 8. the refresh rotated the tokens: the first refresh token is now refused
  let reuseCode = null;
  try {
    await anonymous.client.mutate({ mutation: REFRESH, variables: { refreshToken: firstRefreshToken } });
  } catch (error) {
    reuseCode = error.errors?.[0]?.extensions?.code ?? String(error);
  }

  await Promise.all([anonymous, leader, member].map(({ wsClient }) => wsClient.dispose()));
  console.log(
    "RESULT " +
      JSON.stringify({
        leaderId: login.logIn.member.id,
        challengeIds: created.map((challenge) => challenge.id),
        thumbnailImageUrl: first.thumbnailImageUrl,
        viewerRole: first.viewerRole,
        joined: { role: joined.joinChallenge.role, attendance: joined.joinChallenge.challenge.currentAttendance },
        messages: messageEvents.map((event) => ({ body: event.message.body, sender: event.message.sender.id })),
        registerNotice: joinedNotice.node.type,
        notification: { type: notice.notifications.type, challengeId: notice.notifications.challengeId },
        pageSizes,
        totalCount: cached.challenges.totalCount,
        pagedIds: cached.challenges.edges.map((edge) => edge.node.id),
        refreshes: leader.stats.refreshes,
        reuseCode,
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

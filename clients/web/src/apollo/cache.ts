// How the cache stores paged lists: one list per set of filter arguments, pages appended by
// fetchMore (Relay cursors, `after`); the chat history is paged backwards (`before`) and grows
// at the end with live messages (chat/roomEvents.ts). Entries are merged by their node's id,
// so a page that overlaps what a live event already added never shows a message twice.
import type { FieldPolicy, Reference, TypePolicies } from "@apollo/client";

type Edge = { cursor: string; node: Reference | { __ref: string } };
type Connection = { edges?: Edge[]; nodes?: Reference[]; [field: string]: unknown };

function union<T>(first: T[], second: T[], key: (item: T) => string | undefined): T[] {
  const seen = new Set(first.map(key));
  return [...first, ...second.filter((item) => !seen.has(key(item)))];
}

const edgeKey = (edge: Edge) => (edge.node as { __ref?: string }).__ref ?? edge.cursor;
const nodeKey = (node: Reference) => node.__ref;

function joined(older: Connection, newer: Connection, incoming: Connection): Connection {
  return {
    ...incoming,
    edges: union(older.edges ?? [], newer.edges ?? [], edgeKey),
    nodes: union(older.nodes ?? [], newer.nodes ?? [], nodeKey),
  };
}

/** Forward pages: `after` appends; a first page replaces. */
function forwardPages(keyArgs: FieldPolicy["keyArgs"]): FieldPolicy<Connection> {
  return {
    keyArgs,
    merge(existing, incoming, { args }) {
      if (!existing || !args?.after) return incoming;
      return joined(existing, incoming, incoming);
    },
  };
}

/** Chat history: `before` puts an older page in front; the newest page merges at the end. */
const backwardPages: FieldPolicy<Connection> = {
  keyArgs: false,
  merge(existing, incoming, { args }) {
    if (!existing) return incoming;
    if (args?.before) return { ...joined(incoming, existing, existing), pageInfo: incoming.pageInfo };
    return { ...joined(existing, incoming, incoming), pageInfo: existing.pageInfo };
  },
};

function orNull(existing: Reference | null | undefined, { canRead }: { canRead: (value: Reference) => boolean }) {
  if (existing === undefined) return undefined;
  return existing && canRead(existing) ? existing : null;
}

export const typePolicies: TypePolicies = {
  Query: {
    fields: {
      challenges: forwardPages(["filter", "sort"]),
      notifications: forwardPages(["unreadOnly"]),
      myRooms: forwardPages(false),
    },
  },
  Challenge: {
    fields: {
      proofs: forwardPages(["status"]),
      leaderboard: forwardPages(false),
    },
  },
  Room: {
    fields: {
      messages: backwardPages,
      // Live lists without ids: each event or answer carries the whole list, which replaces it.
      presence: { merge: false },
      typingMembers: { merge: false },
      pinnedMessage: { read: orNull },
    },
  },
  // A quote or pin of a message deleted meanwhile (evicted by the DELETE event) reads as none,
  // as the server would answer, instead of making the whole room query incomplete.
  Message: { fields: { replyTo: { read: orNull }, reactions: { merge: false } } },
  // Stats and progress have no id: they belong to the object that holds them.
  Member: { fields: { stats: { merge: true } } },
};

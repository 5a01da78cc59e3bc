// The live side of a chat room: roomEvents from a cursor, merged into the cache by
// applyRoomEvent. Resuming without gaps or duplicates:
// - the stream starts after the newest message of the history, so the server replays what
//   came in between; a room without history starts live and reloads its history once the
//   stream is up, to cover the moment between the two;
// - the cursor moves only with the stream's own events, which come in order (a message we
//   sent arrives by HTTP before the stream may have delivered older ones: it must not move it);
// - after a dropped socket, graphql-ws would resubscribe with the original variables: the
//   subscription is re-opened from the last cursor instead, and replays merge by id anyway.
// `live` turns true with the first event of each opened stream (the server's JOIN reaches its
// own subscriber too): only then do live-only mutations (setPresenceStatus) have a stream to
// belong to, and `onLive` re-applies what a new stream does not know (a "studying" status).
import { useApolloClient } from "@apollo/client/react";
import { useEffect, useRef, useState } from "react";

import { onReconnected } from "../../apollo/connection";
import { applyPresence, applyRoomEvent, carriesStatuses, type RoomEvent } from "./roomEvents";
import { ROOM_EVENTS } from "./operations";

export function useRoomEvents(options: {
  challengeId: string;
  roomId: string | undefined;
  newestCursor: string | null;
  reloadHistory: () => Promise<unknown>;
  onLive?: () => void;
}): { error: unknown; live: boolean } {
  const { challengeId, roomId } = options;
  const client = useApolloClient();
  const cursor = useRef<string | null>(null);
  // The newest presence the stream told: a history reload answered after a JOIN or LEAVE read
  // the presence before it, and must not leave the older one on screen.
  const told = useRef<{ online: RoomEvent | null; statuses: RoomEvent | null }>({ online: null, statuses: null });
  const latest = useRef(options);
  latest.current = options;
  const [error, setError] = useState<unknown>(null);
  const [live, setLive] = useState(false);

  useEffect(() => {
    if (!roomId) return;
    let current: { unsubscribe: () => void } | null = null;
    const open = () => {
      current?.unsubscribe();
      const startedAt = cursor.current ?? latest.current.newestCursor;
      cursor.current = startedAt;
      let first = true;
      setLive(false);
      current = client
        .subscribe({ query: ROOM_EVENTS, variables: { challengeId, after: startedAt } })
        .subscribe({
          next: ({ data, error: failed }) => {
            if (failed) return setError(failed);
            if (!data) return;
            const event = data.roomEvents;
            if (event.cursor) cursor.current = event.cursor;
            applyRoomEvent(client.cache, roomId, event);
            told.current = { online: event, statuses: carriesStatuses(event) ? event : told.current.statuses };
            if (first && startedAt === null) {
              void latest.current.reloadHistory().then(() => {
                const { online, statuses } = told.current;
                if (statuses) applyPresence(client.cache, roomId, statuses);
                if (online && online !== statuses) applyPresence(client.cache, roomId, online);
              });
            }
            if (first) {
              setLive(true);
              latest.current.onLive?.();
            }
            first = false;
            setError(null);
          },
          error: setError,
        });
    };
    open();
    const stop = onReconnected(open);
    return () => {
      stop();
      current?.unsubscribe();
    };
  }, [client, challengeId, roomId]);

  return { error, live };
}

// The read position follows what the viewer has seen: once the newest message is on screen
// (the room open, the tab visible) its cursor goes to markRoomRead, a moment after the last
// change so a burst of messages costs one call; leaving the room (or the page) sends a pending
// one at once, and one due while the browser is offline waits for it to be back. The answer carries Room.unreadCount, which Apollo writes into `Room:<id>`: every
// badge of that room drops to zero. A badge query already under way (my page, opened as the
// room closes) may have counted before the read was stored and overwrite that zero: unread
// queries on screen run again once it is stored, without joining the request under way (which
// Apollo's deduplication would do, answering with the stale count).
import { useApolloClient, useMutation } from "@apollo/client/react";
import { useEffect, useRef } from "react";

import { MARK_ROOM_READ } from "./messageOperations";

const SETTLE_MS = 800;
const UNREAD_QUERIES = new Set(["MyRooms", "RoomUnread"]);

export function useMarkRead(challengeId: string, newestCursor: string | null, lastReadCursor: string | null | undefined): void {
  const client = useApolloClient();
  const [markRead] = useMutation(MARK_ROOM_READ);
  const pending = useRef<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const flush = useRef(() => {
    clearTimeout(timer.current);
    const cursor = pending.current;
    if (!cursor || !navigator.onLine) return;
    pending.current = null;
    void markRead({ variables: { challengeId, cursor } })
      .then(() => {
        for (const { queryName, query, variables } of client.getObservableQueries("active")) {
          if (!UNREAD_QUERIES.has(queryName ?? "")) continue;
          const context = { queryDeduplication: false };
          void client.query({ query, variables, fetchPolicy: "network-only", context }).catch(() => undefined);
        }
      })
      .catch(() => undefined);
  });

  useEffect(() => {
    if (!newestCursor || newestCursor === lastReadCursor) return;
    const mark = () => {
      if (document.visibilityState !== "visible") return;
      pending.current = newestCursor;
      clearTimeout(timer.current);
      timer.current = setTimeout(flush.current, SETTLE_MS);
    };
    mark();
    document.addEventListener("visibilitychange", mark);
    return () => document.removeEventListener("visibilitychange", mark);
  }, [newestCursor, lastReadCursor]);

  useEffect(() => {
    const leave = flush.current;
    window.addEventListener("pagehide", leave);
    window.addEventListener("online", leave);
    return () => {
      window.removeEventListener("pagehide", leave);
      window.removeEventListener("online", leave);
      leave();
    };
  }, []);
}

// The read position follows what the viewer has seen: once the newest message is on screen
// (the room open, the tab visible) its cursor goes to markRoomRead, a moment after the last
// change so a burst of messages costs one call. The answer carries Room.unreadCount, which
// Apollo writes into `Room:<id>`: every badge of that room drops to zero.
import { useMutation } from "@apollo/client/react";
import { useEffect } from "react";

import { MARK_ROOM_READ } from "./messageOperations";

const SETTLE_MS = 800;

export function useMarkRead(challengeId: string, newestCursor: string | null, lastReadCursor: string | null | undefined): void {
  const [markRead] = useMutation(MARK_ROOM_READ);
  useEffect(() => {
    if (!newestCursor || newestCursor === lastReadCursor) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const mark = () => {
      if (document.visibilityState !== "visible") return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        void markRead({ variables: { challengeId, cursor: newestCursor } }).catch(() => undefined);
      }, SETTLE_MS);
    };
    mark();
    document.addEventListener("visibilitychange", mark);
    return () => {
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", mark);
    };
  }, [challengeId, newestCursor, lastReadCursor, markRead]);
}

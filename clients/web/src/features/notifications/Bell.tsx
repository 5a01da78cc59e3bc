// The live notification bell: the newest page and the unread count from a query, then the
// notifications subscription from the newest cursor (re-opened from the last one seen after
// a dropped socket). Opening the list marks everything read.
import { useApolloClient, useMutation, useQuery } from "@apollo/client/react";
import { useEffect, useRef, useState } from "react";

import { onReconnected } from "../../apollo/connection";
import { useI18n } from "../../i18n";
import { navigate } from "../../router";
import { MARK_READ, NOTIFICATIONS, NOTIFICATION_STREAM } from "./operations";
import { addNotification, markAllRead } from "./notificationCache";

function useNotificationStream(newestCursor: string | null | undefined): void {
  const client = useApolloClient();
  const cursor = useRef<string | null>(null);
  const ready = newestCursor !== undefined;
  const start = useRef(newestCursor);
  start.current = newestCursor;

  useEffect(() => {
    if (!ready) return;
    let current: { unsubscribe: () => void } | null = null;
    const open = () => {
      current?.unsubscribe();
      cursor.current = cursor.current ?? start.current ?? null;
      current = client
        .subscribe({ query: NOTIFICATION_STREAM, variables: { after: cursor.current } })
        .subscribe(({ data }) => {
          if (!data) return;
          cursor.current = data.notifications.cursor;
          addNotification(client.cache, data.notifications);
        });
    };
    open();
    const stop = onReconnected(open);
    return () => {
      stop();
      current?.unsubscribe();
    };
  }, [client, ready]);
}

export function Bell() {
  const { t } = useI18n();
  const client = useApolloClient();
  const [open, setOpen] = useState(false);
  const { data } = useQuery(NOTIFICATIONS);
  const [markRead] = useMutation(MARK_READ);
  const list = data?.notifications;
  useNotificationStream(list ? (list.edges[0]?.cursor ?? null) : undefined);
  const unread = list?.unreadCount ?? 0;

  const toggle = () => {
    setOpen(!open);
    if (!open && unread > 0 && list) {
      const ids = list.edges.filter(({ node }) => !node.read).map(({ node }) => node.id);
      void markRead({ variables: { ids: null } })
        .then(() => markAllRead(client.cache, ids))
        .catch(() => undefined);
    }
  };

  return (
    <div className="bell">
      <button className="icon" aria-label={t("notifications")} aria-expanded={open} onClick={toggle}>
        <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
          <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" fill="currentColor" />
        </svg>
        {unread > 0 ? <span className="unread" data-testid="unread-count">{unread}</span> : null}
      </button>
      {open ? (
        <div className="dropdown" role="dialog" aria-label={t("notifications")}>
          {list?.edges.length ? null : <p>{t("noNotifications")}</p>}
          <ul>
            {list?.edges.map(({ node }) => (
              <li key={node.id} className={node.read ? "read" : "unread"} data-type={node.type}>
                <button
                  className="link"
                  onClick={() => {
                    setOpen(false);
                    navigate(`/challenges/${node.challengeId}${node.proofId ? "?tab=proofs" : ""}`);
                  }}
                >
                  <span className={`badge ${node.type.toLowerCase()}`}>{t(node.type)}</span> {node.content}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}

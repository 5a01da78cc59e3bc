// Who is logged in. The cookies say so, the page does not know: `me` answers. A page opened
// with an expired access cookie (gone from the jar) but a live refresh cookie reads as anonymous,
// so at start an anonymous answer gets one silent refresh before the log-in form shows.
import { useApolloClient, useQuery } from "@apollo/client/react";
import { useEffect, useState } from "react";

import { navigate } from "../../router";
import { forgetSession, onSessionEnded, refreshSession } from "../../apollo/session";
import { LOG_OUT, VIEWER } from "./operations";

export function useViewer() {
  const { data, loading } = useQuery(VIEWER);
  return { viewer: data?.me ?? null, loading: loading && !data };
}

/** Starts the session: one silent refresh if anonymous; a session that ends sends to log in. */
export function useSessionStart(): boolean {
  const client = useApolloClient();
  const [ready, setReady] = useState(false);
  useEffect(() => {
    let live = true;
    void (async () => {
      const first = await client.query({ query: VIEWER }).catch(() => null);
      if (first?.data?.me == null && (await refreshSession().catch(() => false))) {
        await client.query({ query: VIEWER, fetchPolicy: "network-only" }).catch(() => null);
      }
      if (live) setReady(true);
    })();
    const stop = onSessionEnded(() => {
      void client.clearStore().then(() => client.writeQuery({ query: VIEWER, data: { me: null } }));
      navigate("/login");
    });
    return () => {
      live = false;
      stop();
    };
  }, [client]);
  return ready;
}

export function useLogOut(): () => Promise<void> {
  const client = useApolloClient();
  return async () => {
    await client.mutate({ mutation: LOG_OUT }).catch(() => undefined);
    forgetSession();
    await client.clearStore();
    client.writeQuery({ query: VIEWER, data: { me: null } });
    navigate("/");
  };
}

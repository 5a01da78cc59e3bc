// The subscription socket (graphql-ws) and what the UI shows of it. Credentials: the access
// cookie on the upgrade request, so connection_init carries nothing. The socket lives no longer
// than the access token: the server closes it with 4403 when the token expires or the session
// ends, and graphql-ws retries 4403 (4401 would be fatal): we refresh before the retry, which
// then carries the new cookie. While the browser says it is offline, the socket is dropped and
// retries wait for it to come back. Subscribers resume by cursor on `onReconnected`.
import { createClient, type Client } from "graphql-ws";

import { GRAPHQL_PATH, onSessionRefreshed, refreshSession } from "./session";

export type ConnectionState = "idle" | "connecting" | "live" | "offline";

const FORBIDDEN = 4403;
let state: ConnectionState = "idle";
const stateListeners = new Set<() => void>();
const reconnectListeners = new Set<() => void>();

function setState(next: ConnectionState): void {
  if (next === state) return;
  state = next;
  stateListeners.forEach((listener) => listener());
}

export function connectionState(): ConnectionState {
  return state;
}

export function onConnectionState(listener: () => void): () => void {
  stateListeners.add(listener);
  return () => stateListeners.delete(listener);
}

/** Called when the socket is back after a drop: re-open subscriptions from their last cursor. */
export function onReconnected(listener: () => void): () => void {
  reconnectListeners.add(listener);
  return () => reconnectListeners.delete(listener);
}

function whenOnline(): Promise<void> {
  if (navigator.onLine) return Promise.resolve();
  return new Promise((resolve) => window.addEventListener("online", () => resolve(), { once: true }));
}

function backoff(retries: number): number {
  return Math.min(10_000, 300 * 2 ** retries) * (0.5 + Math.random() / 2);
}

export function createSocket(): Client {
  let refreshing: Promise<unknown> = Promise.resolve();
  const scheme = window.location.protocol === "https:" ? "wss" : "ws";
  const client = createClient({
    url: `${scheme}://${window.location.host}${GRAPHQL_PATH}`,
    lazy: true,
    keepAlive: 15_000,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      await refreshing.catch(() => undefined);
      await whenOnline();
      await new Promise((resolve) => setTimeout(resolve, backoff(retries)));
    },
    on: {
      connecting: () => setState(navigator.onLine ? "connecting" : "offline"),
      connected: (_socket, _payload, wasRetry) => {
        setState("live");
        if (wasRetry) reconnectListeners.forEach((listener) => listener());
      },
      closed: (event) => {
        if ((event as CloseEvent | undefined)?.code === FORBIDDEN) refreshing = refreshSession();
        setState(navigator.onLine ? "connecting" : "offline");
      },
    },
  });
  window.addEventListener("offline", () => {
    setState("offline");
    client.terminate();
  });
  // A socket opened before a refresh may be anonymous or hold the old token: open a new one.
  onSessionRefreshed(() => client.terminate());
  return client;
}

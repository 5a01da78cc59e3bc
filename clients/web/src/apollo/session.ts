// The session lives in HttpOnly cookies that the API sets on logIn/signUp/refreshTokens (access
// token: Path=/, refresh token: Path=/graphql): this page never sees a token. What it keeps is
// when the access token expires, to refresh ahead of time, in localStorage so that every tab
// knows. One refresh at a time across tabs (navigator.locks): a refresh token works once, and
// spending the same one twice is taken as theft and ends the session everywhere.
export const GRAPHQL_PATH = "/graphql";

const EXPIRES_KEY = "eroom.accessTokenExpiresAt";
const LOCK = "eroom.refresh";
const REFRESH = "mutation RefreshTokens { refreshTokens { accessTokenExpiresAt } }";

type Listener = () => void;
const endedListeners = new Set<Listener>();
const refreshedListeners = new Set<Listener>();
let inFlight: Promise<boolean> | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

function storedExpiry(): string | null {
  return localStorage.getItem(EXPIRES_KEY);
}

/** Called when the session is over (a refresh was refused): log in again. */
export function onSessionEnded(listener: Listener): () => void {
  endedListeners.add(listener);
  return () => endedListeners.delete(listener);
}

/** Called after every successful refresh (new cookies are in the jar). */
export function onSessionRefreshed(listener: Listener): () => void {
  refreshedListeners.add(listener);
  return () => refreshedListeners.delete(listener);
}

/** Remember the access token's expiry (from logIn, signUp or a refresh) and refresh before it. */
export function rememberExpiry(expiresAt: string | null): void {
  clearTimeout(timer);
  if (expiresAt === null) {
    localStorage.removeItem(EXPIRES_KEY);
    return;
  }
  localStorage.setItem(EXPIRES_KEY, expiresAt);
  const left = Date.parse(expiresAt) - Date.now();
  // A minute early, or a fifth of the lifetime for short-lived tokens.
  const delay = Math.max(1_000, left - Math.min(60_000, left / 5));
  timer = setTimeout(() => void refreshSession().catch(() => undefined), delay);
}

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  return locks ? locks.request(LOCK, work) : work();
}

async function spendRefreshCookie(): Promise<string | null> {
  // A bare fetch, not the Apollo client: the refresh must never loop through the ErrorLink.
  const response = await fetch(GRAPHQL_PATH, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: REFRESH }),
  });
  const body = (await response.json()) as {
    data?: { refreshTokens?: { accessTokenExpiresAt: string } } | null;
    errors?: unknown[];
  };
  return body.errors?.length ? null : (body.data?.refreshTokens?.accessTokenExpiresAt ?? null);
}

/**
 * Rotate the tokens (refresh cookie in, new cookies out). Resolves true when the page holds a
 * fresh session, false when there is none (never logged in, or it ended); rejects only when
 * the network failed, which does not end a session.
 */
export function refreshSession(): Promise<boolean> {
  if (inFlight) return inFlight;
  const seen = storedExpiry();
  inFlight = withLock(async () => {
    const now = storedExpiry();
    // Another tab refreshed while this one waited for the lock: its cookies are ours too.
    if (now !== null && now !== seen && Date.parse(now) > Date.now()) return now;
    return spendRefreshCookie();
  })
    .then((expiresAt) => {
      if (expiresAt === null) {
        const hadSession = seen !== null;
        rememberExpiry(null);
        if (hadSession) endedListeners.forEach((listener) => listener());
        return false;
      }
      rememberExpiry(expiresAt);
      refreshedListeners.forEach((listener) => listener());
      return true;
    })
    .finally(() => {
      inFlight = null;
    });
  return inFlight;
}

/** After logOut: forget the expiry so no tab refreshes a session that is gone. */
export function forgetSession(): void {
  rememberExpiry(null);
}

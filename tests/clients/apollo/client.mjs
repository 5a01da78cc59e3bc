// An E-room Apollo Client 4 set-up, as a React app would build it (docs/CLIENTS.md explains it).
//
// Links, outermost first: ErrorLink (refresh the tokens once on UNAUTHENTICATED and retry)
// -> SetContextLink (bearer header from the current token) -> split by operation type:
// subscriptions over graphql-ws, everything else over UploadHttpLink (multipart when a
// variable holds a File/Blob, plain JSON otherwise).
import { ApolloClient, ApolloLink, InMemoryCache, gql } from "@apollo/client";
import { CombinedGraphQLErrors } from "@apollo/client/errors";
import { SetContextLink } from "@apollo/client/link/context";
import { ErrorLink } from "@apollo/client/link/error";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import UploadHttpLink from "apollo-upload-client/UploadHttpLink.mjs";
import { createClient } from "graphql-ws";
import { from, switchMap } from "rxjs";
import WebSocket from "ws"; // Node 20 has no global WebSocket; browsers do.

export const REFRESH_TOKENS = gql`
  mutation RefreshTokens($refreshToken: String) {
    refreshTokens(refreshToken: $refreshToken) { accessToken refreshToken accessTokenExpiresAt }
  }
`;

// Cursor pagination: one cached list per filter/sort, pages appended by fetchMore.
export const typePolicies = {
  Query: {
    fields: {
      challenges: {
        keyArgs: ["filter", "sort"],
        merge(existing, incoming, { args }) {
          if (!existing || !args?.after) return incoming;
          return {
            ...incoming,
            edges: [...existing.edges, ...incoming.edges],
            nodes: [...(existing.nodes ?? []), ...(incoming.nodes ?? [])],
          };
        },
      },
    },
  },
};

function isUnauthenticated(error) {
  return (
    CombinedGraphQLErrors.is(error) &&
    error.errors.some((e) => e.extensions?.code === "UNAUTHENTICATED")
  );
}

/**
 * session: { accessToken, refreshToken } (mutated in place when the tokens rotate).
 * Returns { client, wsClient, refreshes } where refreshes counts silent token refreshes.
 */
export function makeClient({ httpUrl, wsUrl, session }) {
  const stats = { refreshes: 0 };

  async function refresh() {
    // A bare fetch, not the client: the refresh itself must not loop through the ErrorLink.
    const response = await fetch(httpUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        query: REFRESH_TOKENS.loc.source.body,
        variables: { refreshToken: session.refreshToken },
      }),
    });
    const { data, errors } = await response.json();
    if (errors?.length) throw new Error(`refresh failed: ${errors[0].extensions?.code}`);
    session.accessToken = data.refreshTokens.accessToken;
    session.refreshToken = data.refreshTokens.refreshToken;
    stats.refreshes += 1;
    // Re-open the socket so its connection_init carries the new token.
    wsClient.terminate();
  }

  const wsClient = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: true,
    retryAttempts: 3,
    // A function, so every (re)connect sends the current token.
    connectionParams: () =>
      session.accessToken ? { Authorization: `Bearer ${session.accessToken}` } : {},
  });

  const auth = new SetContextLink((prevContext) => ({
    headers: {
      ...prevContext.headers,
      ...(session.accessToken ? { authorization: `Bearer ${session.accessToken}` } : {}),
    },
  }));

  const refreshOnUnauthenticated = new ErrorLink(({ error, operation, forward }) => {
    const context = operation.getContext();
    if (!isUnauthenticated(error) || context.retriedAfterRefresh || !session.refreshToken) return;
    operation.setContext({ retriedAfterRefresh: true });
    return from(refresh()).pipe(switchMap(() => forward(operation)));
  });

  const transport = ApolloLink.split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === "OperationDefinition" && definition.operation === "subscription";
    },
    new GraphQLWsLink(wsClient),
    // Multipart uploads need no CORS preflight, so the server refuses them (CSRF) unless this
    // header forces one; it costs nothing on JSON requests.
    new UploadHttpLink({ uri: httpUrl, headers: { "Apollo-Require-Preflight": "true" } }),
  );

  const client = new ApolloClient({
    link: ApolloLink.from([refreshOnUnauthenticated, auth, transport]),
    cache: new InMemoryCache({ typePolicies }),
  });
  return { client, wsClient, stats };
}

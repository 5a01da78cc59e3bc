// The Apollo Client of the app. Links, outermost first: ErrorLink (on UNAUTHENTICATED, refresh
// the session once and retry) -> split by operation type: subscriptions over graphql-ws,
// everything else over UploadHttpLink (a multipart request when a variable holds a File, plain
// JSON otherwise). Same origin, so the cookies go along by themselves.
import { ApolloClient, ApolloLink, InMemoryCache } from "@apollo/client";
import { CombinedGraphQLErrors } from "@apollo/client/errors";
import { ErrorLink } from "@apollo/client/link/error";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";
import UploadHttpLink from "apollo-upload-client/UploadHttpLink.mjs";
import { from, switchMap, throwError } from "rxjs";

import { typePolicies } from "./cache";
import { createSocket } from "./connection";
import { GRAPHQL_PATH, refreshSession } from "./session";

function isUnauthenticated(error: unknown): boolean {
  return (
    CombinedGraphQLErrors.is(error) &&
    error.errors.some((entry) => entry.extensions?.code === "UNAUTHENTICATED")
  );
}

const refreshOnUnauthenticated = new ErrorLink(({ error, operation, forward }) => {
  if (!isUnauthenticated(error) || operation.getContext().retriedAfterRefresh) return;
  operation.setContext({ retriedAfterRefresh: true });
  return from(refreshSession()).pipe(
    switchMap((refreshed) => (refreshed ? forward(operation) : throwError(() => error))),
  );
});

function isSubscription({ query }: ApolloLink.Operation): boolean {
  const definition = getMainDefinition(query);
  return definition.kind === "OperationDefinition" && definition.operation === "subscription";
}

export function makeClient(): ApolloClient {
  const transport = ApolloLink.split(
    isSubscription,
    new GraphQLWsLink(createSocket()),
    // Multipart requests need no CORS preflight, so the server refuses them (CSRF prevention)
    // unless this header is there; it costs nothing on JSON requests.
    new UploadHttpLink({
      uri: GRAPHQL_PATH,
      credentials: "same-origin",
      headers: { "Apollo-Require-Preflight": "true" },
    }),
  );
  return new ApolloClient({
    link: ApolloLink.from([refreshOnUnauthenticated, transport]),
    cache: new InMemoryCache({ typePolicies }),
  });
}

import { cacheExchange, Client, fetchExchange, mapExchange } from "@urql/core";
import type { ConsoleStore } from "./api.ts";

/**
 * A GraphQL client acting in one store: the session cookie says who, x-console-store which of the
 * member's stores, x-csrf-token proves the page (not another site) sent it. A new store gets a new
 * client, so no cached answer crosses stores. An UNAUTHENTICATED answer means the session ended
 * elsewhere (signed out in another tab, expired, member disabled): `onSessionEnded` then runs.
 */
export function storeClient(csrfToken: string, store: ConsoleStore, onSessionEnded: () => void): Client {
  const ended = mapExchange({
    onError(error) {
      if (error.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED")) onSessionEnded();
    },
  });
  return new Client({
    url: "/graphql",
    exchanges: [cacheExchange, ended, fetchExchange],
    requestPolicy: "cache-and-network",
    // POST, as the sign-in's contract says: queries stay out of URLs (and logs), and every request
    // carries the CSRF header the same way.
    preferGetMethod: false,
    fetchOptions: {
      credentials: "same-origin",
      headers: { "x-csrf-token": csrfToken, "x-console-store": store.keyId },
    },
  });
}

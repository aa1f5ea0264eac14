import { createClient, type Client } from "graphql-ws";
import type { ConsoleStore } from "../session/api.ts";

/** Where the socket is: opening for the first time, up, lost and retrying, or refused for good. */
export type SocketState = "connecting" | "live" | "reconnecting" | "ended";

/** graphql-ws's close code for a credential refused or revoked (the session ended). */
const FORBIDDEN = 4403;

/** The gateway's /graphql on this page's own origin, as ws: or wss:. */
export const socketUrl = () => new URL("/graphql", location.href).href.replace(/^http/, "ws");

/**
 * A graphql-ws connection acting in one store as the console's HTTP requests do: the browser sends
 * the session cookie with the upgrade, connection params name the store and carry the CSRF token.
 * A lost socket is reopened (and its subscriptions sent again) after 0.5, 1, 2 … at most 10 s;
 * 4403 means the session ended (signed out, member disabled) and is not retried.
 */
export function storeSocket(csrfToken: string, store: ConsoleStore, onState: (state: SocketState) => void): Client {
  let opened = false;
  return createClient({
    url: socketUrl(),
    connectionParams: { "x-console-store": store.keyId, "x-csrf-token": csrfToken },
    lazy: true,
    retryAttempts: Infinity,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(500 * 2 ** retries, 10_000))),
    shouldRetry: (event) => (event as { code?: number }).code !== FORBIDDEN,
    on: {
      connecting: () => onState(opened ? "reconnecting" : "connecting"),
      connected: () => {
        opened = true;
        onState("live");
      },
      closed: (event) => onState((event as { code?: number }).code === FORBIDDEN ? "ended" : "reconnecting"),
    },
  });
}

import type { IncomingMessage } from "node:http";

/** Reads one credential "header" of a socket by name (lowercase), as the HTTP authenticators do. */
export type HeaderGetter = (name: string) => string | undefined;

/**
 * The credential headers of a graphql-ws socket. Everything comes from connection_init's payload
 * (`connectionParams`, names in any case), except `cookie`: a browser sends its cookies with the
 * upgrade request only, and a page's script cannot read an httpOnly one to put in params.
 *
 * Cross-site WebSocket hijacking: browsers send cookies with a WebSocket upgrade from any site
 * (no CORS for WebSockets), so the cookie is offered only when the upgrade came from the gateway's
 * own origin or names none (not a browser). A console socket also needs the CSRF token, which
 * another site cannot read; this is the second lock on the same door.
 */
export function socketHeaders(params: Record<string, unknown> | undefined, upgrade: IncomingMessage, trustProxy: boolean): HeaderGetter {
  return (name) => {
    if (name === "cookie") return sameOrigin(upgrade, trustProxy) ? upgrade.headers.cookie : undefined;
    const entry = Object.entries(params ?? {}).find(([key]) => key.toLowerCase() === name);
    return typeof entry?.[1] === "string" ? entry[1] : undefined;
  };
}

/**
 * Whether an upgrade request's Origin (when it has one) names the host it was sent to. The host,
 * not the whole origin: behind a TLS-terminating proxy the page is https while the socket reaches
 * the gateway as plain HTTP. Behind a trusted proxy, X-Forwarded-Host names the host the browser used.
 */
export function sameOrigin(upgrade: IncomingMessage, trustProxy: boolean): boolean {
  const origin = upgrade.headers.origin;
  if (origin === undefined) return true;
  const forwarded = trustProxy ? upgrade.headers["x-forwarded-host"] : undefined;
  const host = (typeof forwarded === "string" ? forwarded.split(",")[0]!.trim() : undefined) || upgrade.headers.host;
  try {
    return host !== undefined && new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // "null" (sandboxed frames, file:) or garbage
  }
}

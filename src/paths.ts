/**
 * What a log line or a span may say about a request's path: the gateway's fixed paths as they
 * are, any other by its first segment (`/exports/<link>` carries a bearer capability, a
 * connector's target may carry a token), never the query string (GET /graphql carries variables
 * there). Shared by the request log (src/observability/request-log.ts) and tracing (src/tracing.ts).
 */
export function safePath(path: string): string {
  const pathname = path.split("?")[0]!;
  if (pathname === "/graphql" || pathname === "/.well-known/jwks.json") return pathname;
  const first = /^\/[^/]*/.exec(pathname)?.[0] ?? "/";
  return pathname === first ? first : `${first}/…`;
}

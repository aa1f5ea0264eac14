import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { GraphQLError } from "graphql";
import type { RequestInfo } from "../service-context.ts";

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Who sent a request, for the audit trail. X-Forwarded-For is believed only with `trustProxy`
 * (the gateway sits behind a proxy that sets it); otherwise any client could forge its IP.
 */
export function requestInfo(request: Request, req: IncomingMessage | undefined, trustProxy: boolean): RequestInfo {
  const forwarded = trustProxy ? request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() : undefined;
  const given = request.headers.get("x-request-id");
  return {
    ip: forwarded || req?.socket.remoteAddress || null,
    userAgent: request.headers.get("user-agent"),
    requestId: given && REQUEST_ID.test(given) ? given : randomUUID(),
  };
}

/** Request headers a browser on an allowed origin may send; nothing else is exposed back. */
const CORS_REQUEST_HEADERS = ["content-type", "accept", "authorization", "x-api-key", "x-api-secret", "x-tenant", "x-request-id"];

/**
 * yoga's CORS options from the CORS_ORIGINS allow-list. An origin not on it (and any origin when
 * the list is empty) gets no CORS headers at all, so browsers keep the response from the page.
 * Credentials (cookies) are never allowed: the gateway authenticates by headers only.
 */
export function corsFromAllowList(origins: string[]) {
  return (request: Request) => {
    const origin = request.headers.get("origin");
    if (!origin || !origins.includes(origin)) return false as const;
    return { origin: [origin], credentials: false, methods: ["GET", "POST"], allowedHeaders: CORS_REQUEST_HEADERS, maxAge: 600 };
  };
}

/**
 * GET requests carry `variables` and `extensions` as JSON in the query string; yoga parses them
 * unguarded, so malformed ones would surface as a 500. Checked here first: a 400 BAD_REQUEST.
 */
export const checkGetParams = {
  onRequestParse({ request, url }: { request: Request; url: URL }) {
    if (request.method !== "GET") return;
    for (const name of ["variables", "extensions"]) {
      const text = url.searchParams.get(name);
      if (!text) continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = undefined;
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new GraphQLError(`The ${name} parameter must be a JSON object`, {
          extensions: { code: "BAD_REQUEST", http: { status: 400 } },
        });
      }
    }
  },
};

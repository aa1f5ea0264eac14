import { serialize as serializeCookie } from "cookie";
import type { IncomingMessage } from "node:http";
import type { Plugin } from "graphql-yoga";
import { RateLimitedError } from "../errors.ts";
import { readLimited, requestInfo } from "../graphql/request.ts";
import type { Logger } from "../logger.ts";
import { CONSOLE_COOKIE, consoleTokenOf, CSRF_HEADER } from "./principal.ts";
import { csrfMatches, sessionView, signIn, signOut, type SessionDeps } from "./sessions.ts";

// /console/session: the console's sign-in (POST {email, password}), who-am-I (GET) and sign-out
// (DELETE with the CSRF token). Outside GraphQL because it sets the session cookie: httpOnly (no
// script reads it), SameSite=Strict (no other site sends it), Path=/ (the console and /graphql).
// JSON answers: { csrfToken, member, expiresAt, stores[] } or { code, message }.

export const CONSOLE_SESSION_PATH = "/console/session";
const MAX_BODY_BYTES = 4096;

export interface SessionRouteDeps extends SessionDeps {
  trustProxy: boolean;
  logger: Logger;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { ...(body === null ? {} : { "content-type": "application/json" }), "cache-control": "no-store", ...headers },
  });

const refusal = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  json(status, { code, message }, headers);

export function consoleSessionPlugin(deps: SessionRouteDeps): Plugin {
  return {
    async onRequest({ request, url, endResponse, serverContext }) {
      if (url.pathname !== CONSOLE_SESSION_PATH) return;
      const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
      try {
        endResponse(await answer(deps, request, url, req));
      } catch (err) {
        deps.logger.error({ err }, "console session request failed");
        endResponse(refusal(500, "INTERNAL_SERVER_ERROR", "internal error"));
      }
    },
  };
}

async function answer(deps: SessionRouteDeps, request: Request, url: URL, req: IncomingMessage | undefined): Promise<Response> {
  const info = requestInfo(request, req, deps.trustProxy);
  const token = consoleTokenOf(request.headers.get("cookie"));
  const secure = url.protocol === "https:" || (deps.trustProxy && request.headers.get("x-forwarded-proto") === "https");
  if (request.method === "GET") {
    const view = token ? await sessionView(deps.db, token) : null;
    return view ? json(200, view) : refusal(401, "UNAUTHENTICATED", "Not signed in");
  }
  if (request.method === "DELETE") {
    if (!token || !csrfMatches(token, request.headers.get(CSRF_HEADER))) return refusal(403, "FORBIDDEN", "Missing or wrong CSRF token");
    await signOut(deps, token, info);
    return json(204, null, { "set-cookie": cookie(secure, "", 0) });
  }
  if (request.method !== "POST") return json(405, null, { allow: "GET, POST, DELETE" });
  // A sign-in form posted from another site would sign the browser in as the attacker.
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== url.origin) return refusal(403, "FORBIDDEN", "Cross-site sign-in refused");
  const credentials = parseCredentials(await readLimited(request, MAX_BODY_BYTES));
  if (!credentials) return refusal(400, "VALIDATION_FAILED", 'Send JSON {"email": "…", "password": "…"}');
  try {
    const signedIn = await signIn(deps, credentials.email, credentials.password, info);
    if (!signedIn) return refusal(401, "INVALID_CREDENTIALS", "Wrong email or password");
    const maxAge = Math.floor((signedIn.expiresAt.getTime() - Date.now()) / 1000);
    return json(200, signedIn.view, { "set-cookie": cookie(secure, signedIn.token, maxAge) });
  } catch (error) {
    if (!(error instanceof RateLimitedError)) throw error;
    return refusal(429, "RATE_LIMITED", error.message, { "retry-after": String(error.retryAfter) });
  }
}

function parseCredentials(body: string | null): { email: string; password: string } | null {
  try {
    const parsed = JSON.parse(body ?? "") as { email?: unknown; password?: unknown };
    const { email, password } = parsed;
    return typeof email === "string" && typeof password === "string" && email.length <= 254 && password.length <= 1000
      ? { email, password }
      : null;
  } catch {
    return null;
  }
}

/** The session cookie (an empty one with Max-Age=0 clears it); Secure when served over HTTPS (or behind a trusted TLS proxy). */
const cookie = (secure: boolean, token: string, maxAge: number) =>
  serializeCookie(CONSOLE_COOKIE, token, { httpOnly: true, sameSite: "strict", path: "/", maxAge, secure });

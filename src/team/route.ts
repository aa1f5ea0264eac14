import { serialize as serializeCookie } from "cookie";
import type { IncomingMessage } from "node:http";
import type { Plugin } from "graphql-yoga";
import { readLimited, requestInfo } from "../graphql/request.ts";
import type { Db } from "../db/database.ts";
import type { EventBus } from "../events/bus.ts";
import type { Logger } from "../logger.ts";
import type { AuthRuntime } from "../security/auth-runtime.ts";
import type { RequestInfo } from "../service-context.ts";
import { answerAccount, CONSOLE_ACCOUNT_PATH } from "./account-route.ts";
import { expectedFailure, json, refusal, stringFields } from "./http.ts";
import { CONSOLE_COOKIE, consoleTokenOf, CSRF_HEADER } from "./principal.ts";
import { csrfMatches, sessionView, signIn, signOut, type SessionDeps } from "./sessions.ts";

// /console/session: the console's sign-in (POST {email, password, code?}), who-am-I (GET) and sign-out
// (DELETE with the CSRF token). Outside GraphQL because it sets the session cookie: httpOnly (no
// script reads it), SameSite=Strict (no other site sends it), Path=/ (the console and /graphql).
// JSON answers: { csrfToken, member, expiresAt, stores[] } or { code, message }.

export const CONSOLE_SESSION_PATH = "/console/session";
const MAX_BODY_BYTES = 4096;

export interface SessionRouteDeps extends SessionDeps {
  trustProxy: boolean;
  logger: Logger;
}

/** The plugin of a gateway: its sign-in parts (argon2 parameters, throttle, master key) from `auth`. */
export function consoleSessionPlugin(parts: { db: Db; events: EventBus; logger: Logger; auth: AuthRuntime; trustProxy: boolean }): Plugin {
  const { auth, ...rest } = parts;
  const deps: SessionRouteDeps = { ...rest, argon2: auth.config.argon2, throttle: auth.throttle, masterKey: auth.keys.masterKey };
  return {
    async onRequest({ request, url, endResponse, serverContext }) {
      const account = url.pathname.startsWith(CONSOLE_ACCOUNT_PATH);
      if (url.pathname !== CONSOLE_SESSION_PATH && !account) return;
      const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
      try {
        const info = requestInfo(request, req, deps.trustProxy);
        endResponse(await (account ? answerAccount(deps, request, url, info) : answer(deps, request, url, info)));
      } catch (error) {
        const expected = expectedFailure(error);
        if (!expected) deps.logger.error({ err: error }, "console session request failed");
        endResponse(expected ?? refusal(500, "INTERNAL_SERVER_ERROR", "internal error"));
      }
    },
  };
}

async function answer(deps: SessionRouteDeps, request: Request, url: URL, info: RequestInfo): Promise<Response> {
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
  const attempt = stringFields(await readLimited(request, MAX_BODY_BYTES), ["email", "password"], ["code"]);
  if (!attempt) return refusal(400, "VALIDATION_FAILED", 'Send JSON {"email": "…", "password": "…"} (and "code" when asked)');
  const result = await signIn(deps, attempt, info);
  if (!result) return refusal(401, "INVALID_CREDENTIALS", "Wrong email, password or code");
  if (result.mfaRequired) return refusal(401, "MFA_REQUIRED", "Enter the code your authenticator app shows");
  const maxAge = Math.floor((result.expiresAt.getTime() - Date.now()) / 1000);
  return json(200, result.view, { "set-cookie": cookie(secure, result.token, maxAge) });
}

/** The session cookie (an empty one with Max-Age=0 clears it); Secure when served over HTTPS (or behind a trusted TLS proxy). */
const cookie = (secure: boolean, token: string, maxAge: number) =>
  serializeCookie(CONSOLE_COOKIE, token, { httpOnly: true, sameSite: "strict", path: "/", maxAge, secure });

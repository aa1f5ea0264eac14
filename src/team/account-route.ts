import { readLimited } from "../graphql/request.ts";
import type { RequestInfo } from "../service-context.ts";
import { changeTeamPassword, confirmAuthenticatorApp, liveSession, removeAuthenticatorApp, startAuthenticatorApp } from "./account.ts";
import { json, refusal, stringFields } from "./http.ts";
import { consoleTokenOf, CSRF_HEADER } from "./principal.ts";
import { csrfMatches, sessionView, type SessionDeps } from "./sessions.ts";

// /console/account/…: the signed-in member's own sign-in settings. Every request needs the session
// cookie and the CSRF token, like a console GraphQL request. JSON bodies:
//   POST   /console/account/password           {currentPassword, newPassword} → {sessionsEnded}
//   POST   /console/account/authenticator-app  → {secret, uri} (pending until confirmed)
//   PUT    /console/account/authenticator-app  {code} → the session view (authenticatorApp: true)
//   DELETE /console/account/authenticator-app  {password} → 204

export const CONSOLE_ACCOUNT_PATH = "/console/account/";
const MAX_BODY_BYTES = 4096;
const BAD_BODY = (fields: string) => refusal(400, "VALIDATION_FAILED", `Send JSON ${fields}`);

/** The answer to a /console/account/ request; expected failures are thrown for the caller to map (http.ts). */
export async function answerAccount(deps: SessionDeps, request: Request, url: URL, info: RequestInfo): Promise<Response> {
  const token = consoleTokenOf(request.headers.get("cookie"));
  if (!token || !csrfMatches(token, request.headers.get(CSRF_HEADER))) return refusal(403, "FORBIDDEN", "Missing or wrong CSRF token");
  const session = await liveSession(deps.db, token);
  if (!session) return refusal(401, "UNAUTHENTICATED", "Not signed in");
  const route = `${request.method} ${url.pathname.slice(CONSOLE_ACCOUNT_PATH.length)}`;
  const body = () => readLimited(request, MAX_BODY_BYTES);
  switch (route) {
    case "POST password": {
      const given = stringFields(await body(), ["currentPassword", "newPassword"]);
      if (!given) return BAD_BODY('{"currentPassword": "…", "newPassword": "…"}');
      return json(200, await changeTeamPassword(deps, session, { current: given.currentPassword, next: given.newPassword }, info));
    }
    case "POST authenticator-app":
      return json(200, await startAuthenticatorApp(deps, session.member));
    case "PUT authenticator-app": {
      const given = stringFields(await body(), ["code"]);
      if (!given) return BAD_BODY('{"code": "123456"}');
      if (!(await confirmAuthenticatorApp(deps, session, given.code, info))) {
        return refusal(400, "VALIDATION_FAILED", "The code is not right: enter the one your app shows now");
      }
      return json(200, await sessionView(deps.db, token));
    }
    case "DELETE authenticator-app": {
      const given = stringFields(await body(), ["password"]);
      if (!given) return BAD_BODY('{"password": "…"}');
      await removeAuthenticatorApp(deps, session, given.password, info);
      return json(204, null);
    }
    default:
      return json(404, null);
  }
}

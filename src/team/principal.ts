import { parse as parseCookies } from "cookie";
import type { Db } from "../db/database.ts";
import { unauthenticated } from "../graphql/auth-errors.ts";
import type { AdminPrincipal } from "../service-context.ts";
import { consolePrincipal, csrfMatches } from "./sessions.ts";

export const CONSOLE_COOKIE = "gateway_console";
export const CSRF_HEADER = "x-csrf-token";
/** Which store (the key id of the session's credential for it) a console request acts in. */
export const STORE_HEADER = "x-console-store";

/** The console session token a Cookie header carries, if any. */
export function consoleTokenOf(cookieHeader: string | null | undefined): string | null {
  return cookieHeader ? (parseCookies(cookieHeader)[CONSOLE_COOKIE] ?? null) : null;
}

/**
 * The admin principal of a console request: `X-Console-Store` names the store, the session cookie
 * and `X-CSRF-Token` prove the browser. Without X-Console-Store: null (not a console request; a
 * cookie alone authorizes nothing, so another site's forged request gets no admin). With it but
 * without a live session or the right CSRF token: UNAUTHENTICATED. Cost: one read.
 */
export async function adminFromConsole(db: Db, get: (name: string) => string | null | undefined): Promise<AdminPrincipal | null> {
  const store = get(STORE_HEADER);
  if (!store) return null;
  const token = consoleTokenOf(get("cookie"));
  const principal = token && csrfMatches(token, get(CSRF_HEADER)) ? await consolePrincipal(db, token, store) : null;
  if (!principal) throw unauthenticated("Console session missing or ended, or CSRF token wrong: sign in again");
  return principal;
}

// The team sign-in's HTTP contract (/console/session): the cookie is httpOnly, so the page only
// ever sees the CSRF token and who is signed in.

export interface ConsoleStore {
  /** The store's admin credential key: the x-console-store header names it. */
  keyId: string;
  tenantId: string;
  name: string;
  slug: string;
  /** AdminScope names the member holds in this store. */
  scopes: string[];
}

export interface ConsoleSession {
  csrfToken: string;
  member: { id: string; name: string; email: string; authenticatorApp: boolean };
  stores: ConsoleStore[];
}

const SESSION_URL = "/console/session";

/** A refused sign-in, with a message for the person at the keyboard. */
export class SignInError extends Error {}

/** The password was right; the member has an authenticator app: sign in again with its code. */
export class CodeRequired extends Error {}

export async function signIn(email: string, password: string, code?: string): Promise<ConsoleSession> {
  const response = await fetch(SESSION_URL, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password, ...(code === undefined ? {} : { code }) }),
  });
  if (response.ok) return (await response.json()) as ConsoleSession;
  const refusal = await refusalOf(response);
  if (refusal.code === "MFA_REQUIRED") throw new CodeRequired(refusal.message);
  if (response.status === 401)
    throw new SignInError(code === undefined ? "The email or the password is not right." : "The code is not right.");
  throw new SignInError(refusal.message);
}

/** What a refused /console/… request says, in words for the person at the keyboard. */
export async function refusalOf(response: Response): Promise<{ code: string; message: string }> {
  const body = (await response.json().catch(() => ({}))) as { code?: string; message?: string };
  if (response.status === 429) {
    const seconds = Number(response.headers.get("retry-after"));
    return { code: "RATE_LIMITED", message: `Too many attempts. Try again${seconds > 0 ? ` in ${seconds} seconds` : " later"}.` };
  }
  return {
    code: body.code ?? "HTTP_" + response.status,
    message: body.message ?? `The request failed (HTTP ${response.status}). Try again.`,
  };
}

/** The session the cookie holds, or null when there is none (or it ended). */
export async function currentSession(): Promise<ConsoleSession | null> {
  const response = await fetch(SESSION_URL, { credentials: "same-origin" });
  return response.ok ? ((await response.json()) as ConsoleSession) : null;
}

export async function signOut(csrfToken: string): Promise<void> {
  await fetch(SESSION_URL, { method: "DELETE", credentials: "same-origin", headers: { "x-csrf-token": csrfToken } });
}

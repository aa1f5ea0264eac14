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
  member: { id: string; name: string; email: string };
  stores: ConsoleStore[];
}

const SESSION_URL = "/console/session";

/** A refused sign-in, with a message for the person at the keyboard. */
export class SignInError extends Error {}

export async function signIn(email: string, password: string): Promise<ConsoleSession> {
  const response = await fetch(SESSION_URL, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (response.ok) return (await response.json()) as ConsoleSession;
  if (response.status === 401) throw new SignInError("The email or the password is not right.");
  if (response.status === 429) {
    const seconds = Number(response.headers.get("retry-after"));
    throw new SignInError(`Too many attempts. Try again${seconds > 0 ? ` in ${seconds} seconds` : " later"}.`);
  }
  throw new SignInError(`Signing in failed (HTTP ${response.status}). Try again.`);
}

/** The session the cookie holds, or null when there is none (or it ended). */
export async function currentSession(): Promise<ConsoleSession | null> {
  const response = await fetch(SESSION_URL, { credentials: "same-origin" });
  return response.ok ? ((await response.json()) as ConsoleSession) : null;
}

export async function signOut(csrfToken: string): Promise<void> {
  await fetch(SESSION_URL, { method: "DELETE", credentials: "same-origin", headers: { "x-csrf-token": csrfToken } });
}

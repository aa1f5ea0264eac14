import { refusalOf, type ConsoleSession } from "./api.ts";

// The signed-in member's own sign-in settings (/console/account/…, src/team/account-route.ts):
// the cookie says who, the CSRF token proves the page.

/** A refused change, with the gateway's code and a message for the person at the keyboard. */
export class AccountError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function send<T>(csrfToken: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/console/account/${path}`, {
    method,
    credentials: "same-origin",
    headers: { "x-csrf-token": csrfToken, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const refusal = await refusalOf(response);
    throw new AccountError(refusal.code, refusal.message);
  }
  return (response.status === 204 ? undefined : await response.json()) as T;
}

export const changePassword = (csrfToken: string, currentPassword: string, newPassword: string) =>
  send<{ sessionsEnded: number }>(csrfToken, "POST", "password", { currentPassword, newPassword });

export const startAuthenticatorApp = (csrfToken: string) => send<{ secret: string; uri: string }>(csrfToken, "POST", "authenticator-app");

export const confirmAuthenticatorApp = (csrfToken: string, code: string) =>
  send<ConsoleSession>(csrfToken, "PUT", "authenticator-app", { code });

export const removeAuthenticatorApp = (csrfToken: string, password: string) =>
  send<void>(csrfToken, "DELETE", "authenticator-app", { password });

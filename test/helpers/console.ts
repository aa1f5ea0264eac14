import { randomUUID } from "node:crypto";
import type { Page } from "playwright-core";
import type { AdminScope } from "../../src/generated/prisma/enums.ts";
import { addTeamMember, grantStore } from "../../src/team/service.ts";
import type { TestGateway } from "./gateway.ts";

/** Argon2 parameters for test team members: the cheapest argon2id allows. */
export const TEAM_ARGON2 = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
export const TEAM_PASSWORD = "a console password long enough";

/** Adds a team member (a fresh email) granted `scopes` (default: all) in each of `stores`; returns the email. */
export async function addMember(gw: TestGateway, scopes?: AdminScope[], stores: ("A" | "B")[] = ["A"]): Promise<string> {
  const email = `member-${randomUUID()}@team.example`;
  await addTeamMember(gw.db, TEAM_ARGON2, { email, name: `Member ${email.slice(7, 13)}`, password: TEAM_PASSWORD });
  for (const store of stores) await grantStore(gw.db, email, gw.tenants[store].id, scopes);
  return email;
}

/**
 * Signs a new member of store A in through the gateway's HTTP handler and answers the headers a
 * console request to that store sends: the session cookie, the CSRF token, the store's key id.
 */
export async function consoleHeaders(gw: TestGateway, scopes?: AdminScope[]): Promise<Record<string, string>> {
  const email = await addMember(gw, scopes);
  const res = await gw.app.yoga.fetch("http://gateway.test/console/session", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: TEAM_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`console sign-in answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { csrfToken: string; stores: { keyId: string }[] };
  const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
  return { cookie, "x-csrf-token": body.csrfToken, "x-console-store": body.stores[0]!.keyId };
}

/** Opens the console and signs in through its form (keyboard submit), with the real /console/session. */
export async function signInToConsole(page: Page, consoleUrl: string, email: string): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEAM_PASSWORD);
  await page.getByLabel("Password").press("Enter");
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** A GraphQL request the signed-in page sends itself (cookie, CSRF token, first store): what its session may do through the API. */
export const gqlFromPage = (page: Page, query: string, variables: Record<string, unknown>) =>
  page.evaluate(
    async ({ query, variables }) => {
      const session = await (await fetch("/console/session")).json();
      const response = await fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": session.csrfToken, "x-console-store": session.stores[0].keyId },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] };
    },
    { query, variables },
  );

import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerDocument } from "./generated/graphql.ts";
import { isLocal, openBrowser, skipBrowserTests, browserMissing, watchedPage, type WatchedPage } from "./helpers/browser.ts";
import { createTestGateway, type TestGateway } from "./helpers/gateway.ts";
import { addMember, TEAM_PASSWORD } from "./helpers/console.ts";
import type { AdminScope } from "../src/generated/prisma/enums.ts";
import { disableTeamMember } from "../src/team/service.ts";

// The admin console (console/, served from dist/console by src/console/static.ts) in headless
// Chromium against a listening gateway on real data. `npm test` builds dist/console first.

const WRONG_PASSWORD = "not the password";

/** A real team member holding tenants A and B as two stores, with `scopes` in both; answers their email. */
const teamMember = (gateway: TestGateway, scopes: AdminScope[]) => addMember(gateway, scopes, ["A", "B"]);

/** Opens the console and signs in through its form (keyboard submit), with the real /console/session. */
async function signIn(page: Page, consoleUrl: string, email: string): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEAM_PASSWORD);
  await page.getByLabel("Password").press("Enter");
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** What the page's own session may do through the API (cookie, CSRF token, store header): a write it is not shown. */
const blockFromPage = (page: Page, customerId: string) =>
  page.evaluate(async (id) => {
    const session = await (await fetch("/console/session")).json();
    const response = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": session.csrfToken, "x-console-store": session.stores[0].keyId },
      body: JSON.stringify({ query: `mutation ($id: ID!) { blockCustomer(id: $id, reason: "x") { __typename } }`, variables: { id } }),
    });
    return (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
  }, customerId);

/** The gateway's own answer, through the API: the customer's status. */
const statusOf = async (gateway: TestGateway, id: string) => (await gateway.gql(CustomerDocument, { id })).data?.customer?.status;

/** Chromium reports a 401 answer as a console error: the signed-out session probe (GET /console/session) is one, by design. */
const unexpected = (errors: string[]) => errors.filter((e) => !/status of 401/.test(e));

describe.skipIf(skipBrowserTests)(`admin console in Chromium${browserMissing ? ` (${browserMissing})` : ""}`, () => {
  let gateway: TestGateway;
  let consoleUrl: string;
  let browser: Browser;
  let watched: WatchedPage;
  let page: Page;
  let member: string;
  let storeNames: { A: string; B: string };

  beforeAll(async () => {
    gateway = await createTestGateway();
    consoleUrl = new URL("/console", await gateway.listen()).href;
    browser = await openBrowser();
    watched = await watchedPage(browser);
    page = watched.page;
    member = await teamMember(gateway, ["CUSTOMERS_WRITE", "AUDIT_READ"]);
    const nameOf = async (id: string) => (await gateway.db.tenant.findUniqueOrThrow({ where: { id } })).name;
    storeNames = { A: await nameOf(gateway.tenants.A.id), B: await nameOf(gateway.tenants.B.id) };
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it("shows the sign-in form first, with nothing from outside this machine and no console error", async () => {
    const response = await page.goto(consoleUrl);
    expect(response?.status()).toBe(200);
    await expect.poll(() => page.getByRole("button", { name: "Sign in" }).isVisible()).toBe(true);
    await expect.poll(() => page.getByLabel("Email").isVisible()).toBe(true);
    expect(await page.getByLabel("Password").getAttribute("type")).toBe("password");
    expect(watched.offsite).toEqual([]);
    expect(watched.requests.filter((request) => !isLocal(request))).toEqual([]);
    expect(unexpected(watched.consoleErrors)).toEqual([]);
  });

  it("a refused sign-in says so, and the form stays", async () => {
    await page.getByLabel("Email").fill(member);
    await page.getByLabel("Password").fill(WRONG_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").innerText()).toBe("The email or the password is not right.");
    expect(await page.getByRole("button", { name: "Sign in" }).isEnabled()).toBe(true);
  });

  it("signs in, finds a customer by email, disables and enables it", async () => {
    const email = `grace-${Date.now()}@example.com`;
    const customer = await gateway.createCustomer({ firstName: "Grace", lastName: "Hopper", emails: [{ address: email }] });
    await gateway.createCustomer({ firstName: "Other", emails: [{ address: `other-${Date.now()}@example.com` }] });
    await signIn(page, consoleUrl, member);
    expect(await page.getByLabel("Identity store").locator("option:checked").innerText()).toBe(storeNames.A);

    await page.getByLabel("Email (exact)").fill(email.toUpperCase());
    await page.getByRole("button", { name: "Search" }).click();
    await expect.poll(() => page.locator("table.accounts tbody tr").count()).toBe(1);
    await page.getByRole("link", { name: "Grace Hopper" }).click();
    await page.getByRole("heading", { name: "Grace Hopper" }).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/console/accounts/${encodeURIComponent(customer.id)}`);

    await page.getByRole("button", { name: "Disable" }).click();
    await page.getByRole("button", { name: "Enable" }).waitFor();
    expect(await statusOf(gateway, customer.id)).toBe("DISABLED");
    await page.getByRole("button", { name: "Enable" }).click();
    await page.getByRole("button", { name: "Disable" }).waitFor();
    expect(await statusOf(gateway, customer.id)).toBe("ACTIVE");
    expect(unexpected(watched.consoleErrors)).toEqual([]);
  });

  it("shows the account's activity tab: both actions, by the member's name, newest first", async () => {
    const tab = page.getByRole("tab", { name: "Activity" });
    expect(await tab.getAttribute("aria-selected")).toBe("true");
    const rows = page.getByRole("tabpanel").locator("table.events tbody tr");
    await expect
      .poll(() => rows.locator("td:nth-child(2)").allInnerTexts())
      .toEqual(["customer.enabled", "customer.disabled", "customer.created"]);
    const memberName = (await page.locator(".member").innerText()).trim();
    expect(await rows.nth(0).locator("td:nth-child(3)").innerText()).toBe(memberName);
    // The tab has its own URL: a reload opens it again.
    expect(new URL(page.url()).pathname).toMatch(/\/accounts\/[^/]+$/);
    await tab.focus();
    await page.keyboard.press("Home");
    expect(new URL(page.url()).pathname).toMatch(/\/activity$/);
  });

  it("downloads the account information as JSON and as HTML", async () => {
    for (const [format, check] of [
      ["JSON", (text: string) => expect(JSON.stringify(JSON.parse(text))).toContain("Grace")],
      ["HTML", (text: string) => expect(text).toContain("<html")],
    ] as const) {
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: `Download account information (${format})` }).click(),
      ]);
      expect(download.suggestedFilename().toLowerCase()).toMatch(new RegExp(`\\.${format.toLowerCase()}$`));
      check(await readFile(await download.path(), "utf8"));
    }
    expect(unexpected(watched.consoleErrors)).toEqual([]);
  });

  it("deletes the account's sessions, then the account after its email is typed", async () => {
    const signedIn = await gateway.createSignedInCustomer({ firstName: "Linus", emails: [{ address: `linus-${Date.now()}@example.com` }] });
    const email = signedIn.customer.emails[0].address;
    await page.getByRole("link", { name: "Admin console" }).click();
    await page.getByLabel("Email (exact)").fill(email);
    await page.getByRole("button", { name: "Search" }).click();
    await page.locator("table.accounts tbody tr", { hasText: email }).click();
    await page.getByRole("heading", { name: "Linus" }).waitFor();

    await page.getByRole("button", { name: "Delete sessions" }).click();
    await page.getByText("Sessions deleted: 1.").waitFor();

    const remove = page.getByRole("button", { name: "Delete account" });
    expect(await remove.isDisabled()).toBe(true);
    await page.getByLabel(/to confirm/).fill(email);
    await remove.click();
    await page.getByRole("heading", { name: "Accounts" }).waitFor();
    expect((await gateway.gql(CustomerDocument, { id: signedIn.customer.id })).data?.customer).toBeNull();
    expect(unexpected(watched.consoleErrors)).toEqual([]);
    expect(watched.offsite).toEqual([]);
  });

  it("switches identity stores, and the browser tab remembers the choice", async () => {
    await gateway.createCustomer({ firstName: "Bea", emails: [{ address: `bea-${Date.now()}@example.com` }] }, "B");
    await page.getByLabel("Identity store").selectOption({ label: storeNames.B });
    await page.getByRole("link", { name: "Bea" }).waitFor();
    expect(await page.getByRole("link", { name: "Grace Hopper" }).count()).toBe(0);
    await page.reload();
    await page.getByRole("link", { name: "Bea" }).waitFor();
    expect(await page.getByLabel("Identity store").locator("option:checked").innerText()).toBe(storeNames.B);
    await page.getByLabel("Identity store").selectOption({ label: storeNames.A });
    await page.getByRole("link", { name: "Grace Hopper" }).waitFor();
    expect(unexpected(watched.consoleErrors)).toEqual([]);
  });

  it("pages forward and back through the list (25 a page, newest first)", async () => {
    for (let i = 0; i < 25; i++)
      await gateway.createCustomer({ firstName: `Page${i}`, emails: [{ address: `page${i}-${Date.now()}@example.com` }] });
    await page.getByRole("button", { name: "Search" }).click();
    const firstName = () => page.locator("table.accounts tbody tr").first().locator("a").innerText();
    await expect.poll(firstName).toBe("Page24");
    expect(await page.getByRole("button", { name: "Previous" }).isDisabled()).toBe(true);
    await page.getByRole("button", { name: "Next" }).click();
    await expect.poll(firstName).not.toBe("Page24");
    expect(await page.getByRole("link", { name: "Page0", exact: true }).count()).toBe(0);
    expect(await page.getByRole("link", { name: "Grace Hopper" }).count()).toBe(1);
    await page.getByRole("button", { name: "Previous" }).click();
    await expect.poll(firstName).toBe("Page24");
  });

  it("a member without CUSTOMERS_WRITE sees the changing actions disabled, and the API refuses them", async () => {
    const reader = await watchedPage(browser);
    const customer = await gateway.createCustomer({ firstName: "Reader", emails: [{ address: `reader-${Date.now()}@example.com` }] });
    await signIn(reader.page, consoleUrl, await teamMember(gateway, ["CUSTOMERS_READ"]));
    await reader.page.goto(`${consoleUrl}/accounts/${encodeURIComponent(customer.id)}`);
    await reader.page.getByRole("heading", { name: "Reader" }).waitFor();
    for (const name of ["Disable", "Delete sessions", "Delete account"]) {
      expect(await reader.page.getByRole("button", { name, exact: true }).isDisabled(), name).toBe(true);
    }
    expect(await reader.page.getByRole("button", { name: "Download account information (JSON)" }).isDisabled()).toBe(false);
    expect((await blockFromPage(reader.page, customer.id)).errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    expect(await statusOf(gateway, customer.id)).toBe("ACTIVE");
    await reader.context.close();
  });

  it("returns to the sign-in form when the session ends elsewhere (the member is disabled)", async () => {
    const other = await watchedPage(browser);
    const email = await teamMember(gateway, ["CUSTOMERS_READ"]);
    await signIn(other.page, consoleUrl, email);
    await other.page.locator("table.accounts").waitFor(); // the list has loaded: nothing in flight
    await disableTeamMember({ db: gateway.db, events: gateway.app.events }, email);
    await other.page.getByRole("button", { name: "Search" }).click();
    await other.page.getByRole("button", { name: "Sign in" }).waitFor();
    await other.context.close();
  });

  it("signs out back to the sign-in form", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
  });
});

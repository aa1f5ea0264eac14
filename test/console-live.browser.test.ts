import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { disableTeamMember } from "../src/team/service.ts";
import { DisableCustomerDocument, EnableCustomerDocument, UpdateCustomerDocument } from "./generated/graphql.ts";
import { browserMissing, isLocal, openBrowser, skipBrowserTests, watchedPage, type WatchedPage } from "./helpers/browser.ts";
import { addMember, TEAM_PASSWORD } from "./helpers/console.ts";
import { createTestGateway, type TestGateway } from "./helpers/gateway.ts";

// The console's Live feed (graphql-ws from the page, cursor resume) and Team log in headless
// Chromium against a listening gateway. `npm test` builds dist/console first.

/** Opens the console and signs in through its form, with the real /console/session. */
async function signIn(page: Page, consoleUrl: string, email: string): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEAM_PASSWORD);
  await page.getByLabel("Password").press("Enter");
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** Updates a customer with the page's own console session (cookie, CSRF token, store): a team action. */
const updateFromPage = (page: Page, id: string, nickname: string) =>
  page.evaluate(
    async ({ id, nickname }) => {
      const session = await (await fetch("/console/session")).json();
      const response = await fetch("/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": session.csrfToken, "x-console-store": session.stores[0].keyId },
        body: JSON.stringify({
          query: `mutation ($id: ID!, $input: UpdateCustomerInput!) { updateCustomer(id: $id, input: $input) { __typename } }`,
          variables: { id, input: { nickname } },
        }),
      });
      return (await response.json()) as { data?: { updateCustomer: { __typename: string } } };
    },
    { id, nickname },
  );

/**
 * Expected console errors: the signed-out session probe's 401, and while the browser is offline
 * the socket's failed reconnection attempts.
 */
const unexpected = (errors: string[]) =>
  errors.filter((e) => !/status of 401/.test(e) && !/WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/graphql' failed/.test(e));

describe.skipIf(skipBrowserTests)(`console live feed and team log in Chromium${browserMissing ? ` (${browserMissing})` : ""}`, () => {
  let gateway: TestGateway;
  let consoleUrl: string;
  let browser: Browser;
  let watched: WatchedPage;
  let page: Page;
  let member: string;
  let memberName: string;
  let customerId: string;
  /** The URLs of the WebSockets the page opened. */
  const sockets: string[] = [];

  /** The feed's rows of `type` about the test's customer. */
  const feedRows = (type: string) =>
    page
      .locator("table.events tbody tr")
      .filter({ has: page.locator("td:nth-child(2)", { hasText: new RegExp(`^${type}$`) }) })
      .filter({ has: page.getByRole("link", { name: `Account ${customerId}` }) });
  const status = () => page.getByRole("status").innerText();

  /** Runs an API mutation, then asserts its event's row is in the feed within 1000 ms of the answer. */
  async function appearsWithinASecond(act: () => Promise<unknown>, rows: Locator) {
    const before = await rows.count();
    await act();
    const answered = Date.now();
    await expect.poll(() => rows.count(), { timeout: 1000, interval: 20 }).toBe(before + 1);
    expect(Date.now() - answered).toBeLessThan(1000);
  }

  beforeAll(async () => {
    gateway = await createTestGateway();
    consoleUrl = new URL("/console", await gateway.listen()).href;
    browser = await openBrowser();
    watched = await watchedPage(browser);
    page = watched.page;
    page.on("websocket", (socket) => sockets.push(socket.url()));
    // The page's own sockets, so that a test can drop them (the browser's offline mode keeps open ones).
    await page.addInitScript(() => {
      const Native = window.WebSocket;
      const open: WebSocket[] = [];
      Object.assign(window, { openSockets: open });
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(url, protocols);
          open.push(this);
        }
      };
    });
    member = await addMember(gateway, ["CUSTOMERS_WRITE", "AUDIT_READ"], ["A"]);
    memberName = (await gateway.db.teamMember.findUniqueOrThrow({ where: { email: member } })).name;
    customerId = (await gateway.createCustomer({ firstName: "Ada", emails: [{ address: `ada-${Date.now()}@example.com` }] })).id;
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it("opens the Live feed over a same-origin WebSocket the CSP allows, and goes live", async () => {
    await signIn(page, consoleUrl, member);
    await page.getByRole("link", { name: "Live feed" }).click();
    await page.getByRole("heading", { name: "Live feed" }).waitFor();
    await expect.poll(status).toBe("Live");
    expect(sockets).toEqual([new URL("/graphql", consoleUrl).href.replace(/^http/, "ws")]);
    expect(watched.requests.filter((url) => !isLocal(url))).toEqual([]);
    expect(watched.offsite).toEqual([]);
    expect(unexpected(watched.consoleErrors)).toEqual([]);
  });

  it("shows each API action on top within a second of its answer", async () => {
    await appearsWithinASecond(() => gateway.gql(DisableCustomerDocument, { id: customerId }), feedRows("customer.disabled"));
    await appearsWithinASecond(() => gateway.gql(EnableCustomerDocument, { id: customerId }), feedRows("customer.enabled"));
    await appearsWithinASecond(
      () => gateway.gql(UpdateCustomerDocument, { id: customerId, input: { nickname: "Countess" } }),
      feedRows("customer.updated"),
    );
    const types = await page.locator("table.events tbody tr td:nth-child(2)").allInnerTexts();
    expect(types.slice(0, 3)).toEqual(["customer.updated", "customer.enabled", "customer.disabled"]);
  });

  it("shows an action of another console page in the same browser by the member's name", async () => {
    const other = await page.context().newPage();
    await other.goto(`${consoleUrl}/accounts/${encodeURIComponent(customerId)}`);
    const rows = feedRows("customer.disabled");
    const before = await rows.count();
    await other.getByRole("button", { name: "Disable" }).click();
    await other.getByRole("button", { name: "Enable" }).waitFor();
    const answered = Date.now();
    await expect.poll(() => rows.count(), { timeout: 1000, interval: 20 }).toBe(before + 1);
    expect(Date.now() - answered).toBeLessThan(1000);
    expect(await rows.first().locator("td:nth-child(3)").innerText()).toBe(memberName);
    await other.getByRole("button", { name: "Enable" }).click();
    await other.getByRole("button", { name: "Disable" }).waitFor();
    await other.close();
  });

  it("resumes after a lost socket with the events of the outage, each once", async () => {
    // Offline, so that the reconnection waits until the events below happened; then the socket drops.
    await page.context().setOffline(true);
    await page.evaluate(() =>
      (window as unknown as { openSockets: WebSocket[] }).openSockets.forEach((s) => s.close(4499, "dropped by the test")),
    );
    await expect.poll(status).toBe("Reconnecting…");
    for (const nickname of ["Lost 1", "Lost 2", "Lost 3"])
      await gateway.gql(UpdateCustomerDocument, { id: customerId, input: { nickname } });
    const before = await feedRows("customer.updated").count();
    expect(await status()).toBe("Reconnecting…"); // so the three come through the replay after `after`
    await page.context().setOffline(false);
    await expect.poll(status, { timeout: 15_000 }).toBe("Live");
    await expect.poll(() => feedRows("customer.updated").count()).toBe(before + 3);
    const sequences = await page.locator("table.events tbody tr").evaluateAll((rows) => rows.map((row) => Number(row.dataset.sequence)));
    expect(new Set(sequences).size).toBe(sequences.length);
    expect(sequences).toEqual([...sequences].sort((a, b) => b - a)); // newest on top, no gap in order
  });

  it("pauses the display while the feed goes on, and resumes with what came meanwhile", async () => {
    const rows = feedRows("customer.updated");
    const before = await rows.count();
    await page.getByRole("button", { name: "Pause" }).click();
    await expect.poll(status).toBe("Live, paused (0 new)");
    await gateway.gql(UpdateCustomerDocument, { id: customerId, input: { nickname: "While paused" } });
    await expect.poll(status).toBe("Live, paused (1 new)");
    expect(await rows.count()).toBe(before);
    await page.getByRole("button", { name: "Resume" }).click();
    await expect.poll(() => rows.count()).toBe(before + 1);
    expect(await status()).toBe("Live");
  });

  it("filters by type prefix and to team actions only", async () => {
    await page.getByLabel("Event type (e.g. customer.*)").fill("customer.*");
    await page.getByLabel("Team actions only").check();
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.getByText("No events yet").waitFor();
    await expect.poll(status).toBe("Live");
    await gateway.gql(UpdateCustomerDocument, { id: customerId, input: { nickname: "By the API key" } });
    expect((await updateFromPage(page, customerId, "By the member")).data?.updateCustomer.__typename).toBe("UpdateCustomerPayload");
    // Events arrive in order: once the member's is shown, the API key's would have been too.
    await expect.poll(() => feedRows("customer.updated").count()).toBe(1);
    expect(await feedRows("customer.updated").locator("td:nth-child(3)").innerText()).toBe(memberName);
    expect(await page.locator("table.events tbody tr").count()).toBe(1);
  });

  it("lists the team's actions in the Team log, newest first by the member's name, and pages to older ones", async () => {
    const signedIn = await gateway.createSignedInCustomer({ firstName: "Self", emails: [{ address: `self-${Date.now()}@example.com` }] });
    await gateway.gql(UpdateCustomerDocument, { id: signedIn.customer.id, input: { nickname: "API" } });
    for (let i = 0; i < 20; i++) await updateFromPage(page, customerId, `Paging ${i}`);
    await page.getByRole("link", { name: "Team log" }).click();
    await page.getByRole("heading", { name: "Team log" }).waitFor();
    const rows = page.locator("table.events tbody tr");
    await expect.poll(() => rows.count()).toBe(20);
    await page.getByRole("button", { name: "Older events" }).click();
    // 21 updates, disable + enable from the other page, the sign-in of the session, and anything older.
    await expect.poll(async () => (await rows.count()) > 20).toBe(true);
    const byWhom = await rows.locator("td:nth-child(3)").allInnerTexts();
    expect(new Set(byWhom)).toEqual(new Set([memberName]));
    const types = await rows.locator("td:nth-child(2)").allInnerTexts();
    expect(types.filter((t) => t === "customer.updated")).toHaveLength(21);
    expect(types).toEqual(expect.arrayContaining(["customer.disabled", "customer.enabled", "console.signed_in"]));
    expect(await rows.filter({ has: page.getByRole("link", { name: `Account ${signedIn.customer.id}` }) }).count()).toBe(0); // neither the customer's own actions nor the API key's
    const sequences = await rows.evaluateAll((all) => all.map((row) => Number(row.dataset.sequence)));
    expect(sequences).toEqual([...sequences].sort((a, b) => b - a));

    await page.getByLabel("Team member").selectOption({ label: memberName });
    await expect.poll(() => rows.count()).toBe(20);
    expect(new Set(await rows.locator("td:nth-child(3)").allInnerTexts())).toEqual(new Set([memberName]));
    expect(unexpected(watched.consoleErrors)).toEqual([]);
  });

  it("says a member without AUDIT_READ cannot read either screen", async () => {
    const reader = await watchedPage(browser);
    await signIn(reader.page, consoleUrl, await addMember(gateway, ["CUSTOMERS_READ"], ["A"]));
    for (const [link, text] of [
      ["Live feed", "Reading the audit log needs the AUDIT_READ scope in this store."],
      ["Team log", "Reading the team log needs the AUDIT_READ scope in this store."],
    ]) {
      await reader.page.getByRole("link", { name: link }).click();
      await reader.page.getByText(text).waitFor();
    }
    await reader.context.close();
  });

  it("returns to the sign-in form when the member is disabled while the feed is open", async () => {
    await page.getByRole("link", { name: "Live feed" }).click();
    await expect.poll(status).toBe("Live");
    await disableTeamMember({ db: gateway.db, events: gateway.app.events }, member);
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    expect(watched.offsite).toEqual([]);
    expect(unexpected(watched.consoleErrors)).toEqual([]);
  });
});

import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CustomerConsentsDocument, CustomerDocument, CustomerSessionsDocument, CustomObjectDocument } from "./generated/graphql.ts";
import { isLocal, openBrowser, skipBrowserTests, browserMissing, watchedPage, type WatchedPage } from "./helpers/browser.ts";
import { addMember, TEAM_PASSWORD } from "./helpers/console.ts";
import { profileFixture, PUBLIC_IP } from "./helpers/console-profile.ts";
import { createTestGateway, type TestGateway } from "./helpers/gateway.ts";

// The account page's Attributes, Sessions, Consents and Custom objects tabs in headless Chromium,
// against a listening gateway; every change is checked through the API afterwards.

async function signIn(page: Page, consoleUrl: string, email: string): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEAM_PASSWORD);
  await page.getByLabel("Password").press("Enter");
  await page.getByRole("button", { name: "Sign out", exact: true }).waitFor();
}

/** Opens an account tab by its link and waits until it is the selected one. */
async function openTab(page: Page, name: string): Promise<void> {
  await page.getByRole("tab", { name }).click();
  await expect.poll(() => page.getByRole("tab", { name }).getAttribute("aria-selected")).toBe("true");
}

/** Chromium reports a 401 answer as a console error: the signed-out session probe is one, by design. */
const unexpected = (errors: string[]) => errors.filter((e) => !/status of 401/.test(e));

describe.skipIf(skipBrowserTests)(`account profile tabs in Chromium${browserMissing ? ` (${browserMissing})` : ""}`, () => {
  let gateway: TestGateway;
  let consoleUrl: string;
  let browser: Browser;
  let watched: WatchedPage;
  let page: Page;
  // The account the full member changes, and one only a reader opens.
  let account: { id: string; customObjectId: string };
  let readersAccount: { id: string };
  const customer = async () => (await gateway.gql(CustomerDocument, { id: account.id })).data!.customer!;
  /** The tab panel's own status line (the overview's actions have one too). */
  const tabStatus = () => page.getByRole("tabpanel").getByRole("status").first();

  beforeAll(async () => {
    // A trusted proxy's X-Forwarded-For gives the fixture's session its IP (and so its location).
    gateway = await createTestGateway({ env: { TRUST_PROXY: "true" } });
    consoleUrl = new URL("/console", await gateway.listen()).href;
    browser = await openBrowser();
    watched = await watchedPage(browser);
    page = watched.page;
    [account, readersAccount] = await profileFixture(gateway, [`ada-${Date.now()}@example.com`, `reader-${Date.now()}@example.com`]);
    await signIn(page, consoleUrl, await addMember(gateway, ["CUSTOMERS_WRITE", "AUDIT_READ"]));
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it("shows the attributes: a typed input per live definition with its rules and access, retired keys hidden, undefined keys read-only", async () => {
    await page.goto(`${consoleUrl}/accounts/${encodeURIComponent(account.id)}/attributes`);
    await page.getByRole("heading", { name: "Ada Lovelace" }).waitFor();
    const tier = page.getByLabel(/^tier/);
    await expect.poll(() => tier.inputValue()).toBe("3");
    expect(await tier.evaluate((el: HTMLInputElement) => [el.type, el.min, el.max])).toEqual(["number", "1", "10"]);
    expect(await page.locator("label[for=custom-field-tier]").innerText()).toContain("Customer can read");
    expect(await page.locator("label[for=custom-field-plan]").innerText()).toContain("Admins only");
    expect(await page.getByLabel(/^plan/).locator("option").allInnerTexts()).toEqual(["(none)", "basic", "pro"]);
    expect(await page.getByLabel(/^interests/).inputValue()).toBe("golf");
    expect(await page.locator("#custom-field-oldNote").count()).toBe(0);
    const undefinedKeys = page.getByRole("region", { name: "Custom fields without a definition" });
    expect(await undefinedKeys.innerText()).toContain('"L-1"');
    expect(await undefinedKeys.locator("input").count()).toBe(0);
    // The browser holds the definition's range itself: 11 never reaches the gateway.
    await tier.fill("11");
    expect(await tier.evaluate((el: HTMLInputElement) => el.validity.rangeOverflow)).toBe(true);
    await page.getByRole("button", { name: "Undo changes" }).click();
    expect(await tier.inputValue()).toBe("3");
  });

  it("saves a profile attribute and a custom field, sending only those, and the overview follows", async () => {
    const before = await customer();
    await page.getByLabel("First name").fill("Augusta");
    await page.getByLabel(/^tier/).fill("7");
    const [request] = await Promise.all([
      page.waitForRequest((r) => r.url().endsWith("/graphql") && (r.postData() ?? "").includes("ConsoleUpdateAttributes")),
      page.getByRole("button", { name: "Save attributes" }).click(),
    ]);
    expect(request.postDataJSON().variables.input).toEqual({ firstName: "Augusta", customFields: { tier: 7 } });
    await expect.poll(() => tabStatus().innerText()).toBe("Saved.");
    await page.getByRole("heading", { name: "Augusta Lovelace" }).waitFor();
    const after = await customer();
    expect(after.firstName).toBe("Augusta");
    expect(after.customFields).toEqual({ ...before.customFields, tier: 7 });
    expect(await page.getByLabel(/^tier/).inputValue()).toBe("7");
    expect(unexpected(watched.consoleErrors)).toEqual([]);
  });

  it("shows the gateway's validation error for a bad custom field value, and nothing changes", async () => {
    const before = await customer();
    await page.getByLabel(/^interests/).fill("golf\nchess\ntennis");
    await page.getByLabel("Nickname").fill("Countess");
    await page.getByRole("button", { name: "Save attributes" }).click();
    const alert = page.getByRole("alert");
    await expect.poll(() => alert.innerText()).toContain("customFields.interests");
    expect(await customer()).toEqual(before);
    // The form keeps what was typed, to be corrected.
    expect(await page.getByLabel("Nickname").inputValue()).toBe("Countess");
    await page.getByRole("button", { name: "Undo changes" }).click();
  });

  it("lists the sessions with device, IP and location, and signs one out", async () => {
    // By keyboard: the tab after Attributes.
    await page.getByRole("tab", { name: "Attributes" }).focus();
    await page.keyboard.press("ArrowRight");
    await expect.poll(() => page.getByRole("tab", { name: "Sessions" }).getAttribute("aria-selected")).toBe("true");
    const firefoxRow = page.locator("table.sessions tbody tr", { hasText: PUBLIC_IP });
    await expect.poll(() => page.locator("table.sessions tbody tr").count()).toBe(2);
    const text = await firefoxRow.innerText();
    expect(text).toContain("desktop · Firefox 120");
    expect(text).toContain("US");
    expect(await page.getByText("IP Geolocation by DB-IP").count()).toBe(1);

    await firefoxRow.getByRole("button", { name: /^Sign out the session from 8\.8\.8\.8/ }).click();
    await expect.poll(() => page.locator("table.sessions tbody tr").count()).toBe(1);
    const sessions = (await gateway.gql(CustomerSessionsDocument, { id: account.id })).data!.customer!.sessions.edges.map((e) => e.node);
    expect(sessions.map((s) => [s.ip, s.active])).toEqual(expect.arrayContaining([[PUBLIC_IP, false]]));
    expect(sessions.filter((s) => s.active)).toHaveLength(1);

    await page.getByLabel("Show").selectOption("ended");
    await expect.poll(() => page.locator("table.sessions tbody tr").innerText()).toContain(PUBLIC_IP);
    await page.getByLabel("Show").selectOption("live");
    await page.getByRole("button", { name: "Sign out everywhere" }).click();
    await expect.poll(() => tabStatus().innerText()).toBe("Sessions signed out: 1.");
    await page.getByText("No live sessions.").waitFor();
    expect((await gateway.gql(CustomerSessionsDocument, { id: account.id, active: true })).data!.customer!.sessions.totalCount).toBe(0);
    expect(unexpected(watched.consoleErrors)).toEqual([]);
  });

  it("shows the live consents and the history (superseded grants included, by purpose), and revokes one", async () => {
    await openTab(page, "Consents");
    const live = page.locator("table.consents").first();
    await expect.poll(() => live.locator("tbody tr td:first-child").allInnerTexts()).toEqual(["marketing.email", "terms"]);
    const history = page.locator("table.consents").nth(1);
    await expect.poll(() => history.locator("tbody tr").count()).toBe(3);
    await page.getByLabel("Purpose (exact, empty for all)").fill("marketing.email");
    await page.getByRole("button", { name: "Filter history" }).click();
    await expect.poll(() => history.locator("tbody tr").count()).toBe(2);
    expect(await history.locator("tbody tr").nth(1).innerText()).toMatch(/v1[\s\S]*superseded/);

    await page.getByRole("button", { name: "Revoke consent to terms" }).click();
    await expect.poll(() => tabStatus().innerText()).toBe("Revoked consent to terms.");
    await expect.poll(() => live.locator("tbody tr").count()).toBe(1);
    const consents = (await gateway.gql(CustomerConsentsDocument, { id: account.id, purpose: "terms" })).data!.customer!;
    expect(consents.consents.edges.map((e) => e.node.purpose)).toEqual(["marketing.email"]);
    expect(consents.consentHistory.edges.map((e) => e.node.revokeSource)).toEqual(["admin-console"]);
    await page.getByLabel("Purpose (exact, empty for all)").fill("terms");
    await page.getByRole("button", { name: "Filter history" }).click();
    await expect
      .poll(() => history.locator("tbody tr").allInnerTexts())
      .toEqual([expect.stringMatching(/terms[\s\S]*admin-console[\s\S]*Ended/)]);
  });

  it("shows a custom object's JSON, refuses a non-object, saves an edit and deletes it after asking", async () => {
    await openTab(page, "Custom objects");
    const object = page.getByRole("article", { name: "Custom object wishlist" });
    await expect.poll(() => object.locator("pre").innerText()).toBe(JSON.stringify({ items: ["book"] }, null, 2));
    await object.getByRole("button", { name: "Edit wishlist" }).click();
    const data = object.getByLabel(/^Data of wishlist/);
    await data.fill("[1, 2]");
    await object.getByRole("button", { name: "Save wishlist" }).click();
    await expect.poll(() => object.getByRole("alert").innerText()).toContain("must be a JSON object");
    expect((await gateway.gql(CustomObjectDocument, { id: account.customObjectId })).data?.customObject?.data).toEqual({ items: ["book"] });

    await data.fill('{ "items": ["book", "pen"] }');
    await object.getByRole("button", { name: "Save wishlist" }).click();
    await expect.poll(() => object.locator("pre").innerText()).toContain('"pen"');
    expect((await gateway.gql(CustomObjectDocument, { id: account.customObjectId })).data?.customObject?.data).toEqual({
      items: ["book", "pen"],
    });

    await object.getByRole("button", { name: "Delete wishlist" }).click();
    await object.getByRole("button", { name: "Yes, delete wishlist" }).click();
    await page.getByText("No custom object.").waitFor();
    expect((await gateway.gql(CustomObjectDocument, { id: account.customObjectId })).data?.customObject).toBeNull();
    expect(unexpected(watched.consoleErrors)).toEqual([]);
    expect(watched.offsite).toEqual([]);
    expect(watched.requests.filter((request) => !isLocal(request))).toEqual([]);
  });

  it("a member with only CUSTOMERS_READ sees every tab's changing controls disabled", async () => {
    const reader = await watchedPage(browser);
    const page = reader.page;
    await signIn(page, consoleUrl, await addMember(gateway, ["CUSTOMERS_READ"]));
    await page.goto(`${consoleUrl}/accounts/${encodeURIComponent(readersAccount.id)}/attributes`);
    await expect.poll(() => page.getByLabel(/^tier/).inputValue()).toBe("3");
    for (const field of [page.getByLabel("First name"), page.getByLabel(/^tier/), page.getByLabel(/^plan/)])
      expect(await field.isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Save attributes" }).isDisabled()).toBe(true);
    expect(await page.getByText("does not allow changing accounts (it needs CUSTOMERS_WRITE)").count()).toBe(1);
    await openTab(page, "Sessions");
    await page.locator("table.sessions tbody tr").first().waitFor();
    for (const button of await page.getByRole("button", { name: /^Sign out (everywhere|the session)/ }).all())
      expect(await button.isDisabled()).toBe(true);
    await openTab(page, "Consents");
    await page.getByRole("button", { name: "Revoke consent to terms" }).waitFor();
    expect(
      await page.getByRole("button", { name: /^Revoke consent/ }).evaluateAll((els) => els.map((el) => (el as HTMLButtonElement).disabled)),
    ).toEqual([true, true]);
    await openTab(page, "Custom objects");
    for (const name of ["Edit wishlist", "Delete wishlist"]) expect(await page.getByRole("button", { name }).isDisabled()).toBe(true);
    expect(unexpected(reader.consoleErrors)).toEqual([]);
    expect(reader.offsite).toEqual([]);
    await reader.context.close();
  });
});

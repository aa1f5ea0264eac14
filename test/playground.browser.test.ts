import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isLocal, openBrowser, skipBrowserTests, browserMissing, watchedPage, type WatchedPage } from "./helpers/browser.ts";
import { createTestGateway, type TestGateway } from "./helpers/gateway.ts";

// GraphiQL at GET /graphql (src/graphql/playground.ts), driven in headless Chromium against a
// listening gateway. `*.browser.test.ts` runs in the pglite project only (vitest.config.ts): the page
// does not depend on the database.

/** The text of one of GraphiQL's Monaco editors, by the end of its model URI. */
const editor = (page: Page, uri: string) => page.locator(`.monaco-editor[data-uri$="${uri}"]`);

/** Replaces an editor's content as a paste would (typing would trigger Monaco's auto-closing). */
async function replaceText(page: Page, uri: string, text: string): Promise<void> {
  await editor(page, uri).click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(text);
  await expect.poll(() => editorText(page, uri)).toBe(text);
}

/** Monaco renders lines with non-breaking spaces. */
const editorText = async (page: Page, uri: string) => (await editor(page, uri).locator(".view-lines").innerText()).replace(/\u00a0/g, " ");

describe.skipIf(skipBrowserTests)(`playground in Chromium${browserMissing ? ` (${browserMissing})` : ""}`, () => {
  let gateway: TestGateway;
  let url: string;
  let browser: Browser;
  let watched: WatchedPage;

  beforeAll(async () => {
    // Anonymous introspection, so the page's first schema fetch (before a credential is filled in)
    // succeeds and any console error is a real one; with the default (admin) it answers 400 until then.
    gateway = await createTestGateway({ env: { INTROSPECTION: "public" } });
    url = await gateway.listen();
    browser = await openBrowser();
    watched = await watchedPage(browser);
    const response = await watched.page.goto(url);
    expect(response?.status()).toBe(200);
    await watched.page.getByRole("button", { name: /Execute query/ }).waitFor();
    // The schema came back: the documentation explorer lists the root types.
    await watched.page.getByRole("button", { name: "Show Documentation Explorer" }).click();
    await watched.page.locator(".graphiql-doc-explorer").getByText("Query", { exact: true }).first().waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it("loads with nothing from outside this machine, no console error, a strict CSP", async () => {
    expect(watched.offsite).toEqual([]);
    expect(watched.requests.filter((request) => !isLocal(request))).toEqual([]);
    expect(watched.requests[0]).toBe(url);
    expect(watched.consoleErrors).toEqual([]);
    const response = await gateway.app.yoga.fetch(url, { headers: { accept: "text/html" } });
    const policy = response.headers.get("content-security-policy");
    expect(policy).toMatch(/script-src 'sha256-[A-Za-z0-9+/]+=*';/);
    expect(policy).not.toContain("unsafe-eval");
    expect(policy).toContain("connect-src 'self'");
  });

  it("has the admin credential's headers ready to fill in, and a query to run", async () => {
    const headers = JSON.parse(await editorText(watched.page, "request-headers.json"));
    expect(headers).toEqual({ "X-API-Key": "", "X-API-Secret": "" });
    expect(await editorText(watched.page, "operation.graphql")).toContain("query WhoAmI");
  });

  it("runs the default query with a credential through the gateway", async () => {
    const { keyId, secret } = gateway.tenants.A;
    await replaceText(watched.page, "request-headers.json", JSON.stringify({ "X-API-Key": keyId, "X-API-Secret": secret }));
    await watched.page.getByRole("button", { name: /Execute query/ }).click();
    await expect.poll(() => editorText(watched.page, "response.json"), { timeout: 20_000 }).toContain('"slug": "tenant-a"');
    expect(await editorText(watched.page, "response.json")).toContain('"CUSTOMERS_READ"');
    expect(watched.consoleErrors).toEqual([]);
  });

  it("runs a subscription (SSE): an audit event committed afterwards arrives in the page", async () => {
    await replaceText(watched.page, "operation.graphql", "subscription Live { auditEvents { type } }");
    const execute = () => watched.page.getByRole("button", { name: /Execute query/ }).click();
    await execute();
    // Until the stream is open an event may pass unseen: create customers until one shows. GraphiQL
    // picks the operation name from the editor after a debounce: a click before it (a busy machine)
    // answers "Cannot infer operation WhoAmI", so click again then.
    const created = async () => {
      if ((await editorText(watched.page, "response.json")).includes("Cannot infer operation")) await execute();
      await gateway.createCustomer({ firstName: "Ada", emails: [{ address: `ada-${Date.now()}@example.com` }] });
      return editorText(watched.page, "response.json");
    };
    await expect.poll(created, { timeout: 20_000, interval: 1000 }).toContain('"type": "customer.created"');
    expect(watched.consoleErrors).toEqual([]);
    expect(watched.offsite).toEqual([]);
  });
});

describe("playground switch", () => {
  let gateway: TestGateway;
  afterAll(() => gateway?.close());

  it("PLAYGROUND=false: a browser's GET /graphql gets no HTML page", async () => {
    gateway = await createTestGateway({ env: { PLAYGROUND: "false" } });
    const response = await gateway.app.yoga.fetch("http://gateway.test/graphql", { headers: { accept: "text/html" } });
    expect(response.headers.get("content-type") ?? "").not.toContain("text/html");
    expect(await response.text()).not.toContain("<html");
  });
});

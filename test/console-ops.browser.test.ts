import { readFile } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConnectorDocument, ConnectorsDocument, CustomerByUidDocument } from "./generated/graphql.ts";
import { isLocal, openBrowser, skipBrowserTests, browserMissing, watchedPage, type WatchedPage } from "./helpers/browser.ts";
import { addMember, TEAM_PASSWORD } from "./helpers/console.ts";
import { SETTLE_MS, WORKER_ENV } from "./helpers/deliveries.ts";
import { createTestGateway, type TestGateway } from "./helpers/gateway.ts";
import { startReceiver, type Receiver } from "./helpers/receiver.ts";

// The console's Connectors and Imports and exports screens in headless Chromium, against a
// listening gateway whose connector worker sends to a real webhook receiver on 127.0.0.1.

const CONNECTOR = "CRM webhook";

async function signIn(page: Page, consoleUrl: string, email: string): Promise<void> {
  await page.goto(consoleUrl);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(TEAM_PASSWORD);
  await page.getByLabel("Password").press("Enter");
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

/** Chromium reports a 401 answer as a console error: the signed-out session probe (GET /console/session) is one, by design. */
const unexpected = (errors: string[]) => errors.filter((e) => !/status of 401/.test(e));

describe.skipIf(skipBrowserTests)(
  `console connectors, imports and exports in Chromium${browserMissing ? ` (${browserMissing})` : ""}`,
  () => {
    let gateway: TestGateway;
    let consoleUrl: string;
    let browser: Browser;
    let watched: WatchedPage;
    let page: Page;
    let receiver: Receiver;
    // What the receiver answers: the test switches it between failing and succeeding.
    let receiverStatus = 200;

    /** The connector as the API reads it, with its deliveries (newest first). */
    const connectorOfApi = async () => {
      const list = await gateway.gql(ConnectorsDocument, { first: 10 });
      const found = list.data!.connectors.edges.find((edge) => edge.node.name === CONNECTOR)!.node;
      return (await gateway.gql(ConnectorDocument, { id: found.id, first: 20 })).data!.connector!;
    };
    /** The delivery log's row of a webhook-id, and its status cell. */
    const logRow = (webhookId: string) => page.locator(`table.deliveries tr[data-webhook-id="${webhookId}"]`);
    const statusOf = (webhookId: string) => logRow(webhookId).locator("td:nth-child(3)").innerText();

    beforeAll(async () => {
      receiver = await startReceiver(() => ({ status: receiverStatus }));
      gateway = await createTestGateway({ env: WORKER_ENV });
      consoleUrl = new URL("/console", await gateway.listen()).href;
      browser = await openBrowser();
      watched = await watchedPage(browser);
      page = watched.page;
      await watched.context.grantPermissions(["clipboard-read", "clipboard-write"]);
      await signIn(page, consoleUrl, await addMember(gateway, ["CUSTOMERS_WRITE", "CONNECTORS_MANAGE"]));
    });

    afterAll(async () => {
      await browser?.close();
      await gateway?.close();
      await receiver?.close();
    });

    it("creates an outflow connector with a trigger chosen from the event types; its secret is shown once, with a copy button", async () => {
      await page.getByRole("link", { name: "Connectors" }).click();
      await page.getByRole("heading", { name: "Connectors" }).waitFor();
      await page.getByRole("link", { name: "New connector" }).click();
      await page.getByLabel("Name", { exact: true }).fill(CONNECTOR);
      await page.getByLabel("URL", { exact: true }).fill(receiver.url);
      await page.getByLabel("Attempts (1–20)").fill("1");
      await page.locator("summary", { hasText: /^customer \(/ }).click();
      await page.getByRole("checkbox", { name: /^customer\.created\b/ }).check();
      await page.getByRole("button", { name: "Create connector" }).click();

      const secret = await page.getByLabel("Secret", { exact: true }).inputValue();
      expect(secret).toMatch(/^whsec_/);
      expect(await page.getByText("it is shown only this once").isVisible()).toBe(true);
      await page.getByRole("button", { name: "Copy secret" }).click();
      await page.getByText("Copied.").waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
      receiver.secrets = [secret];

      const connector = await connectorOfApi();
      expect(connector).toMatchObject({
        direction: "OUTFLOW",
        active: true,
        url: receiver.url,
        events: ["customer.created"],
        maxAttempts: 1,
      });
      await page.getByRole("link", { name: `Open ${CONNECTOR}` }).click();
      await page.getByRole("heading", { name: CONNECTOR }).waitFor();
      // The page shows only the secret's preview from now on.
      expect(await page.getByLabel("Secret", { exact: true }).count()).toBe(0);
      expect(await page.getByRole("definition").filter({ hasText: secret }).count()).toBe(0);
    });

    it("sends a test event, signed with the secret, and shows it in the delivery log", async () => {
      await page.getByRole("button", { name: "Send test event" }).click();
      await page.getByText("Test event: delivered (HTTP 200).").waitFor();
      const delivery = (await connectorOfApi()).deliveries.edges[0]!.node;
      expect(delivery).toMatchObject({ status: "DELIVERED", test: true, eventType: "connector.test", lastStatusCode: 200 });
      const webhookId = await page.locator("table.deliveries tbody tr").first().getAttribute("data-webhook-id");
      expect(receiver.withId(webhookId!)).toHaveLength(1);
      expect(receiver.withId(webhookId!)[0]!.verifiedWith).toEqual(receiver.secrets);
      await expect.poll(() => statusOf(webhookId!)).toBe("Delivered");
      expect(await logRow(webhookId!).locator("td:nth-child(5)").innerText()).toBe("HTTP 200");
    });

    it("a failed delivery is replayed once the receiver recovers: same webhook-id, delivered", async () => {
      receiverStatus = 500;
      const newest = () => page.locator("table.deliveries tbody tr").first().getAttribute("data-webhook-id");
      const delivered = await newest();
      await page.getByRole("button", { name: "Send test event" }).click();
      await page.getByText("Test event: failed (HTTP 500).").waitFor();
      // The log shows the new delivery once it has asked again.
      await expect.poll(newest).not.toBe(delivered);
      const webhookId = (await newest())!;
      await expect.poll(() => statusOf(webhookId)).toBe("Failed");
      expect(receiver.withId(webhookId)).toHaveLength(1);

      receiverStatus = 200;
      await page.getByRole("button", { name: `Replay ${webhookId}` }).click();
      await page.getByText("Queued again: same body, same webhook-id.").waitFor();
      // The log asks again while the delivery is open, until the worker has sent it.
      await expect.poll(() => statusOf(webhookId), { timeout: SETTLE_MS }).toBe("Delivered");
      const sent = receiver.withId(webhookId);
      expect(sent).toHaveLength(2);
      expect(sent[1]!.raw).toBe(sent[0]!.raw);
      expect((await connectorOfApi()).deliveries.edges.map((edge) => edge.node.status)).toEqual(["DELIVERED", "DELIVERED"]);
      expect(unexpected(watched.consoleErrors)).toEqual([]);
    });

    it("deactivates and activates the connector, and rotates its secret (shown once)", async () => {
      await page.getByRole("button", { name: "Deactivate" }).click();
      await page.getByRole("button", { name: "Activate" }).waitFor();
      expect((await connectorOfApi()).active).toBe(false);
      await page.getByRole("button", { name: "Activate" }).click();
      await page.getByRole("button", { name: "Deactivate" }).waitFor();
      expect((await connectorOfApi()).active).toBe(true);

      await page.getByRole("button", { name: "Rotate secret" }).click();
      const rotated = await page.getByLabel("Secret", { exact: true }).inputValue();
      expect(rotated).toMatch(/^whsec_/);
      expect(rotated).not.toBe(receiver.secrets[0]);
      expect((await connectorOfApi()).secretPreview?.slice(-4)).toBe(rotated.slice(-4));
    });

    it("imports a CSV chosen with the file input and follows its progress to the end, with the rejected row shown", async () => {
      await page.getByRole("link", { name: "Imports and exports" }).click();
      await page.getByLabel("File (CSV, JSON or NDJSON)").setInputFiles({
        name: "people.csv",
        mimeType: "text/csv",
        buffer: Buffer.from("uid,email,firstName\nimp-1,imp1@example.com,Ada\nimp-2,not an email,Bad\nimp-3,imp3@example.com,Cy\n"),
      });
      await page.getByRole("button", { name: "Start import" }).click();
      await page.getByRole("heading", { name: "Import of people.csv" }).waitFor();
      expect(new URL(page.url()).pathname).toMatch(/^\/console\/data\/imports\/[^/]+$/);
      await expect
        .poll(() => page.getByRole("status").filter({ hasText: "rows read" }).innerText(), { timeout: SETTLE_MS })
        .toBe("Completed 3 rows read, 1 with errors.");
      const errors = page.locator("table.row-errors tbody tr");
      expect(await errors.count()).toBe(1);
      expect(await errors.first().locator("td").first().innerText()).toBe("2");
      for (const uid of ["imp-1", "imp-3"])
        expect((await gateway.gql(CustomerByUidDocument, { value: uid })).data?.customerByUid?.uid).toBe(uid);
      expect((await gateway.gql(CustomerByUidDocument, { value: "imp-2" })).data?.customerByUid).toBeNull();

      // The whole error report, fetched with the console session's headers.
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Download every rejected row (CSV)" }).click(),
      ]);
      expect(download.suggestedFilename()).toBe("people.csv.errors.csv");
      const report = await readFile(await download.path(), "utf8");
      expect(report.split("\n")[0]).toMatch(/^row,/);
      expect(report.split("\r\n")[1]).toMatch(/^2,/);

      await page.getByRole("link", { name: "← Imports and exports" }).click();
      await page.getByRole("link", { name: "people.csv" }).waitFor();
    });

    it("creates an export and downloads it through its link", async () => {
      await page.getByLabel("Export format").selectOption("CSV");
      await page.getByRole("button", { name: "Create export" }).click();
      const link = page.getByRole("link", { name: "Download the export (CSV)" });
      const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
      expect(download.suggestedFilename()).toMatch(/^customers-.*\.csv$/);
      const content = await readFile(await download.path(), "utf8");
      const [header, ...rows] = content.trim().split("\n");
      expect(header).toContain("uid");
      expect(rows.filter((row) => /imp-[13]/.test(row))).toHaveLength(2);
      expect(unexpected(watched.consoleErrors)).toEqual([]);
      expect(watched.offsite).toEqual([]);
      expect(watched.requests.filter((request) => !isLocal(request))).toEqual([]);
    });

    it("a member without CONNECTORS_MANAGE or CUSTOMERS_WRITE sees those actions disabled, and the API refuses them", async () => {
      const reader = await watchedPage(browser);
      await signIn(reader.page, consoleUrl, await addMember(gateway, ["CONNECTORS_READ", "CUSTOMERS_READ"]));
      await reader.page.getByRole("link", { name: "Connectors" }).click();
      expect(await reader.page.getByRole("button", { name: "New connector" }).isDisabled()).toBe(true);
      await reader.page.getByRole("link", { name: CONNECTOR }).click();
      await reader.page.getByRole("heading", { name: CONNECTOR }).waitFor();
      for (const name of ["Send test event", "Deactivate", "Rotate secret"]) {
        expect(await reader.page.getByRole("button", { name, exact: true }).isDisabled(), name).toBe(true);
      }
      await reader.page.locator("table.deliveries tbody tr").first().waitFor();
      const replays = reader.page.getByRole("button", { name: /^Replay / });
      expect(await replays.count()).toBeGreaterThan(0);
      for (const button of await replays.all()) expect(await button.isDisabled()).toBe(true);
      await reader.page.getByRole("link", { name: "Imports and exports" }).click();
      expect(await reader.page.getByRole("button", { name: "Start import" }).isDisabled()).toBe(true);
      expect(await reader.page.getByRole("button", { name: "Create export" }).isDisabled()).toBe(false);
      expect(unexpected(reader.consoleErrors)).toEqual([]);
      const deliveryId = (await connectorOfApi()).deliveries.edges[0]!.node.id;
      const refused = await reader.page.evaluate(async (id) => {
        const session = await (await fetch("/console/session")).json();
        const response = await fetch("/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", "x-csrf-token": session.csrfToken, "x-console-store": session.stores[0].keyId },
          body: JSON.stringify({ query: `mutation ($id: ID!) { replayDelivery(id: $id) { __typename } }`, variables: { id } }),
        });
        return (await response.json()) as { errors?: { extensions?: { code?: string } }[] };
      }, deliveryId);
      expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
      expect((await connectorOfApi()).deliveries.edges[0]!.node).toMatchObject({ id: deliveryId, status: "DELIVERED", attempts: 1 });
      await reader.context.close();
    });
  },
);

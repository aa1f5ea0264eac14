import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimBulkJob, releaseLease } from "../src/bulk/jobs.ts";
import { runClaimedJob } from "../src/bulk/runner.ts";
import { CustomersDocument, GroupDocument, SegmentsDocument, type CustomerFilter } from "./generated/graphql.ts";
import { isLocal, openBrowser, skipBrowserTests, browserMissing, watchedPage, type WatchedPage } from "./helpers/browser.ts";
import { drain, runnerDeps, seedCustomers, seedGroup } from "./helpers/bulk.ts";
import { addMember, gqlFromPage, signInToConsole as signIn } from "./helpers/console.ts";
import { addCondition, clearConditions, names, search } from "./helpers/console-search.ts";
import { seedFilterFixture } from "./helpers/filter-fixture.ts";
import { createTestGateway, type TestGateway } from "./helpers/gateway.ts";
import { globalId } from "./helpers/ids.ts";

// The account list as the search screen, in headless Chromium against a listening gateway: the
// query builder on the customers filter language, pinned fields, saved segments, and quick actions
// run as bulk jobs (the bulk worker is off in tests: the test runs the job's batches itself, so
// the progress the page shows is deterministic).

/** How many customers of tenant A the filter matches, through the API. */
const countOf = async (gateway: TestGateway, filter: CustomerFilter) =>
  (await gateway.gql(CustomersDocument, { filter, first: 1 })).data?.customers.totalCount;

/** Chromium reports a 401 answer as a console error: the signed-out session probe (GET /console/session) is one, by design. */
const unexpected = (errors: string[]) => errors.filter((e) => !/status of 401/.test(e));

describe.skipIf(skipBrowserTests)(`account search in Chromium${browserMissing ? ` (${browserMissing})` : ""}`, () => {
  let gateway: TestGateway;
  let consoleUrl: string;
  let browser: Browser;
  let watched: WatchedPage;
  let page: Page;
  let groupId: string;
  let people: Map<string, string>;

  beforeAll(async () => {
    gateway = await createTestGateway();
    consoleUrl = new URL("/console", await gateway.listen()).href;
    people = await seedFilterFixture(gateway);
    groupId = await seedGroup(gateway, gateway.tenants.A.id, "Testers");
    browser = await openBrowser();
    watched = await watchedPage(browser);
    page = watched.page;
    await signIn(page, consoleUrl, await addMember(gateway, ["CUSTOMERS_WRITE"]));
  });

  afterAll(async () => {
    await browser?.close();
    await gateway?.close();
  });

  it("builds a filter from conditions (name contains, status is) and lists the accounts it matches", async () => {
    await addCondition(page, "Name", "contains", { fill: "l" });
    await addCondition(page, "Status", "is", { choose: "Enabled" });
    await search(page);
    await expect.poll(() => names(page)).toEqual(["Linus", "Alan Turing", "Ada Lovelace"]);

    // Any of: a name with an l, or enabled — everyone, Barbara Liskov (disabled) and Grace Hopper (no l) too.
    await page.getByLabel("Match").selectOption({ label: "any of the conditions" });
    await search(page);
    await expect.poll(() => names(page)).toEqual(["Barbara Liskov", "Linus", "Grace Hopper", "Alan Turing", "Ada Lovelace"]);

    // Not: "is not" wraps the criterion in `not`.
    await page.getByLabel("Match").selectOption({ label: "all of the conditions" });
    await page.getByLabel("Condition 2 operator").selectOption({ label: "is not" });
    await search(page);
    await expect.poll(() => names(page)).toEqual(["Barbara Liskov"]);
    expect(unexpected(watched.consoleErrors)).toEqual([]);
  });

  it("shows the API's error for a filter it refuses (phones are encrypted: no contains)", async () => {
    await clearConditions(page);
    await addCondition(page, "Phone", "contains", { fill: "555" });
    await search(page);
    await expect.poll(() => page.getByRole("alert").innerText()).toMatch(/phone/i);
    await clearConditions(page);
    await search(page);
    await expect.poll(() => page.getByRole("alert").count()).toBe(0);
  });

  it("offers the searchable custom fields with typed values, and groups from a picker", async () => {
    await addCondition(page, "tier (custom field)", "is", { choose: "gold" });
    await search(page);
    await expect.poll(() => names(page)).toEqual(["Barbara Liskov", "Ada Lovelace"]);
    await clearConditions(page);
    await addCondition(page, "score (custom field)", "≥", { fill: "20" });
    await search(page);
    await expect.poll(() => names(page)).toEqual(["Grace Hopper", "Alan Turing"]);
    // Not searchable: not offered.
    expect(await page.getByLabel("Condition 1 field").locator("option", { hasText: "ratio" }).count()).toBe(0);
    await clearConditions(page);
  });

  it("pins a field as a simple input above the list; the pin stays after a reload", async () => {
    await page.getByLabel("Field to pin").selectOption({ label: "nick (custom field)" });
    await page.getByRole("button", { name: "Pin field" }).click();
    await page.getByLabel("nick (custom field) (is)").fill("Prof");
    await page.getByLabel("nick (custom field) (is)").press("Enter");
    await expect.poll(() => names(page)).toEqual(["Alan Turing"]);

    await page.reload();
    await page.getByLabel("nick (custom field) (is)").waitFor();
    await page.getByRole("button", { name: "Unpin nick (custom field)" }).click();
    await page.reload();
    await page.getByLabel("Email (exact)").waitFor();
    expect(await page.getByLabel("nick (custom field) (is)").count()).toBe(0);
  });

  it("saves the search as a segment, and after a reload applies, renames and deletes it", async () => {
    await addCondition(page, "Name", "contains", { fill: "l" });
    await addCondition(page, "Status", "is", { choose: "Enabled" });
    await search(page);
    await page.getByLabel("Segment name").fill("Enabled with an l");
    await page.getByRole("button", { name: "Save as segment" }).click();
    await page.getByText("Saved segment Enabled with an l.").waitFor();
    const saved = (await gateway.gql(SegmentsDocument, { first: 10 })).data?.segments.edges.map((e) => [e.node.name, e.node.filter]);
    expect(saved).toEqual([["Enabled with an l", { and: [{ name: { contains: "l" } }, { status: ["ACTIVE"] }] }]]);

    await page.reload();
    await expect.poll(() => names(page)).toHaveLength(5);
    await page.getByRole("button", { name: "Apply Enabled with an l" }).click();
    await expect.poll(() => names(page)).toEqual(["Linus", "Alan Turing", "Ada Lovelace"]);
    expect(await page.getByLabel("Condition 1 value").inputValue()).toBe("l");
    expect(await page.getByLabel("Condition 2 value").locator("option:checked").innerText()).toBe("Enabled");

    await page.getByRole("button", { name: "Rename Enabled with an l" }).click();
    await page.getByLabel("New name").fill("L names");
    await page.getByRole("button", { name: "Save name" }).click();
    await page.getByRole("button", { name: "Apply L names" }).waitFor();
    await page.getByRole("button", { name: "Delete L names" }).click();
    await page.getByText("No saved segment yet.").waitFor();
    expect((await gateway.gql(SegmentsDocument, { first: 10 })).data?.segments.edges).toEqual([]);
  });

  it("adds ticked accounts to a group, blocks one with a reason, and finds the group's members", async () => {
    await page.getByLabel("Select Ada Lovelace").check();
    await page.getByLabel("Select Alan Turing").check();
    await page.getByText("2 accounts selected.").waitFor();
    await page.getByRole("button", { name: "Add to group", exact: true }).click();
    await page.getByLabel("Group", { exact: true }).selectOption({ label: "Testers" });
    await page.getByRole("button", { name: "Add to group 2 accounts" }).click();
    await page.getByText("Added to the group: 2 changed, 0 skipped, 0 failed.").waitFor();
    const members = (await gateway.gql(GroupDocument, { id: globalId("Group", groupId), first: 10 })).data?.group?.members.edges;
    expect(members?.map((e) => e.node.uid).sort()).toEqual(["ada", "alan"]);

    await page.getByLabel("Select Linus").check();
    await page.getByRole("button", { name: "Block", exact: true }).click();
    expect(await page.getByRole("button", { name: "Block 1 account" }).isDisabled()).toBe(true);
    await page.getByLabel("Reason for the block").fill("chargebacks");
    await page.getByRole("button", { name: "Block 1 account" }).click();
    await page.getByText("Blocked: 1 changed, 0 skipped, 0 failed.").waitFor();
    expect(await countOf(gateway, { status: ["BLOCKED"] })).toBe(1);

    await clearConditions(page);
    await addCondition(page, "Group", "is member of", { choose: "Testers" });
    await search(page);
    await expect.poll(() => names(page)).toEqual(["Alan Turing", "Ada Lovelace"]);
    await clearConditions(page);
  });

  it("disables every account a filter matches as a job, following its progress to completion", async () => {
    await seedCustomers(gateway, gateway.tenants.A.id, "bulk", 150);
    await addCondition(page, "Username", "starts with", { fill: "bulk-" });
    await search(page);
    await expect.poll(() => page.locator("table.accounts tbody tr").count()).toBe(25);
    await page.getByRole("button", { name: "Select all matching accounts" }).click();
    await page.getByText("All 150 accounts matching the search are selected.").waitFor();
    await page.getByRole("button", { name: "Disable", exact: true }).click();
    await page.getByRole("button", { name: "Disable 150 accounts" }).click();
    const progress = page.locator(".job [role=status]");
    await expect.poll(() => progress.innerText()).toBe("Disable: 0 of 150 processed (Queued)");

    // One batch of 50, then the lease goes back and the rest runs: the page follows each step.
    const claim = await claimBulkJob(gateway.db, 60_000);
    expect(await runClaimedJob(runnerDeps(gateway, 50), claim!, { maxBatches: 1 })).toBe("paused");
    await expect.poll(() => progress.innerText()).toBe("Disable: 50 of 150 processed (Running)");
    expect(await page.getByRole("progressbar", { name: "Disable progress" }).getAttribute("value")).toBe("50");
    await releaseLease(gateway.db, claim!);
    await drain(gateway, 50);
    await expect.poll(() => progress.innerText()).toBe("Disable: 150 of 150 processed (Completed) — 150 changed, 0 skipped, 0 failed.");

    // Exactly those: the 150, and Barbara Liskov (disabled from the start).
    expect(await countOf(gateway, { status: ["DISABLED"], username: { startsWith: "bulk-" } })).toBe(150);
    expect(await countOf(gateway, { status: ["DISABLED"] })).toBe(151);
    // The list and the recent jobs asked again when the job ended.
    await expect.poll(() => page.locator("table.accounts tbody tr", { hasText: "Enabled" }).count()).toBe(0);
    await expect.poll(() => page.locator(".recent-jobs tbody tr").first().innerText()).toMatch(/Disable\s+Completed\s+150 of 150/);
    expect(await page.getByText("0 accounts selected.").count()).toBe(1);
  });

  it("deletes the ticked accounts only once their number is typed", async () => {
    await page.getByLabel("Select every account on this page").check();
    await page.getByText("25 accounts selected.").waitFor();
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    const remove = page.getByRole("button", { name: "Delete 25 accounts" });
    await page.getByLabel(/Type 25 to confirm/).fill("24");
    expect(await remove.isDisabled()).toBe(true);
    await page.getByLabel(/Type 25 to confirm/).fill("25");
    await remove.click();
    await page.getByText("Deleted: 25 changed, 0 skipped, 0 failed.").waitFor();
    expect(await countOf(gateway, { username: { startsWith: "bulk-" } })).toBe(125);
    expect(unexpected(watched.consoleErrors)).toEqual([]);
    expect(watched.offsite).toEqual([]);
    expect(watched.requests.filter((request) => !isLocal(request))).toEqual([]);
  });

  it("cancels a queued job: nothing of it runs, and the recent jobs say so", async () => {
    await page.getByRole("button", { name: "Select all matching accounts" }).click();
    await page.getByText("All 125 accounts matching the search are selected.").waitFor();
    await page.getByRole("button", { name: "Enable", exact: true }).click();
    await page.getByRole("button", { name: "Enable 125 accounts" }).click();
    const progress = page.locator(".job [role=status]");
    await expect.poll(() => progress.innerText()).toBe("Enable: 0 of 125 processed (Queued)");
    await page.getByRole("button", { name: "Cancel job" }).click();
    await expect.poll(() => progress.innerText()).toBe("Enable: 0 of 125 processed (Cancelled) — 0 changed, 0 skipped, 0 failed.");
    expect(await page.getByRole("button", { name: "Cancel job" }).count()).toBe(0);
    await drain(gateway, 50);
    expect(await countOf(gateway, { status: ["DISABLED"], username: { startsWith: "bulk-" } })).toBe(125);
    await expect.poll(() => page.locator(".recent-jobs tbody tr").first().innerText()).toMatch(/Enable\s+Cancelled\s+0 of 125/);
  });

  it("a member with only CUSTOMERS_READ searches, but sees the quick actions and segment changes disabled; the API refuses them", async () => {
    const reader = await watchedPage(browser);
    await signIn(reader.page, consoleUrl, await addMember(gateway, ["CUSTOMERS_READ"]));
    await reader.page.getByLabel("Email (exact)").fill("ada@example.com");
    await reader.page.getByLabel("Email (exact)").press("Enter");
    await reader.page.getByLabel("Select Ada Lovelace").check();
    await reader.page.getByText("1 account selected.").waitFor();
    for (const name of ["Disable", "Enable", "Block", "Add to group", "Remove from group", "Delete"]) {
      expect(await reader.page.getByRole("button", { name, exact: true }).isDisabled(), name).toBe(true);
    }
    expect(await reader.page.getByRole("button", { name: "Save as segment" }).isDisabled()).toBe(true);
    expect(await reader.page.getByRole("heading", { name: "Recent bulk jobs" }).count()).toBe(0);
    expect(unexpected(reader.consoleErrors)).toEqual([]);
    const refused = await gqlFromPage(
      reader.page,
      `mutation ($id: ID!) { runBulkAction(input: { action: DISABLE, selection: { ids: [$id] } }) { __typename } }`,
      { id: globalId("Customer", people.get("ada")!) },
    );
    expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    expect(await countOf(gateway, { status: ["ACTIVE"], name: { contains: "Ada" } })).toBe(1);
    // The page's own refused request (FORBIDDEN is HTTP 403) is the one console error.
    expect(unexpected(reader.consoleErrors)).toEqual(["Failed to load resource: the server responded with a status of 403 (Forbidden)"]);
    expect(reader.offsite).toEqual([]);
    await reader.context.close();
  });
});

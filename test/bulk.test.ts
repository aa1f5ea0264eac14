import { describe, expect, it } from "vitest";
import {
  BlockCustomerDocument,
  BulkJobsDocument,
  CreateConnectorDocument,
  CreateSegmentDocument,
  DisableCustomerDocument,
  MeDocument,
  RunBulkActionDocument,
} from "./generated/graphql.ts";
import { createCredential } from "../src/admin-auth/service.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { byPrefix, customerIds, eventsOf, runBulk, seedCustomers, seedGroup } from "./helpers/bulk.ts";
import { expectNoWrites } from "./helpers/snapshot.ts";
import { globalId, rowId } from "./helpers/ids.ts";

// Bulk quick actions on small selections (at most 100): run in the request, in one transaction,
// with the single mutations' audit events and side effects.

const gw = useTestGateway();
const A = () => gw.tenants.A.id;
const statusOf = async (ids: string[]) =>
  (await gw.db.customer.findMany({ where: { id: { in: ids } }, orderBy: { id: "asc" } })).map((c) => c.status);

describe("runBulkAction inline", () => {
  it("DISABLE by ids: changes the active, skips the disabled, reports unknown, foreign and malformed ids, ends live tokens", async () => {
    const signedIn = await gw.createSignedInCustomer({ emails: [{ address: "bulk-live@example.com" }] });
    const active = await seedCustomers(gw, A(), "dis", 2);
    const [disabled] = await seedCustomers(gw, A(), "dis-off", 1, "DISABLED");
    const [foreign] = await seedCustomers(gw, gw.tenants.B.id, "dis-b", 1);
    const unknown = globalId("Customer", "00000000-0000-4000-8000-000000000001");
    const ids = [signedIn.customer.id, ...customerIds([...active, disabled!, foreign!]), unknown, "not-a-global-id"];
    const run = await runBulk(gw, { action: "DISABLE", selection: { ids } });
    expect(run).toMatchObject({ __typename: "BulkActionOutcome", action: "DISABLE", selected: 7, affected: 3, skipped: 1, failed: 3 });
    if (run.__typename !== "BulkActionOutcome") throw new Error();
    expect(new Set(run.failures.map((f) => f.customerId))).toEqual(new Set([globalId("Customer", foreign!), unknown, "not-a-global-id"]));
    expect(run.failures.every((f) => f.code === "CUSTOMER_NOT_FOUND")).toBe(true);
    expect(await statusOf(active)).toEqual(["DISABLED", "DISABLED"]);
    expect((await gw.db.customer.findUnique({ where: { id: foreign! } }))!.status).toBe("ACTIVE");
    expect((await gw.gql(MeDocument, {}, { bearer: signedIn.tokens.accessToken })).status).toBe(401);
    const [revoked] = await eventsOf(gw, A(), "session.revoked_all");
    expect(revoked).toMatchObject({ customerId: rowId(signedIn.customer.id), data: { count: 1, reason: "disabled" } });
    expect((await eventsOf(gw, A(), "customer.disabled")).length).toBe(3);
  });

  it("records the same event data as the single mutations (DISABLE, BLOCK)", async () => {
    const [one, two, three, four] = await seedCustomers(gw, A(), "same", 4);
    const until = new Date(Date.now() + 86_400_000).toISOString();
    await gw.gql(DisableCustomerDocument, { id: globalId("Customer", one!) });
    await runBulk(gw, { action: "DISABLE", selection: { ids: customerIds([two!]) } });
    await gw.gql(BlockCustomerDocument, { id: globalId("Customer", three!), reason: "fraud", until });
    await runBulk(gw, { action: "BLOCK", reason: "fraud", until, selection: { ids: customerIds([four!]) } });
    for (const [type, single, bulk] of [
      ["customer.disabled", one, two],
      ["customer.blocked", three, four],
    ] as const) {
      const events = await eventsOf(gw, A(), type);
      const data = (id: string) => events.find((e) => e.customerId === id)!.data;
      expect(data(bulk!)).toEqual(data(single!));
    }
  });

  it("ENABLE, BLOCK again, UNBLOCK and REVOKE_SESSIONS change only what is not already so", async () => {
    const ids = await seedCustomers(gw, A(), "cycle", 3, "DISABLED");
    const selection = { filter: byPrefix("cycle") };
    expect(await runBulk(gw, { action: "ENABLE", selection })).toMatchObject({ affected: 3, skipped: 0 });
    expect(await runBulk(gw, { action: "ENABLE", selection })).toMatchObject({ affected: 0, skipped: 3 });
    expect(await runBulk(gw, { action: "BLOCK", reason: "spam", selection })).toMatchObject({ affected: 3 });
    expect(await runBulk(gw, { action: "BLOCK", reason: "spam", selection })).toMatchObject({ affected: 0, skipped: 3 });
    expect(await statusOf(ids)).toEqual(["BLOCKED", "BLOCKED", "BLOCKED"]);
    expect(await runBulk(gw, { action: "UNBLOCK", selection })).toMatchObject({ affected: 3 });
    expect(await statusOf(ids)).toEqual(["ACTIVE", "ACTIVE", "ACTIVE"]);
    const [unblocked] = await eventsOf(gw, A(), "customer.unblocked");
    expect(unblocked!.data).toMatchObject({ changes: { status: { from: "BLOCKED", to: "ACTIVE" } }, clearedFailedSignIns: 0 });
    const live = await gw.createSignedInCustomer({ emails: [{ address: "bulk-revoke@example.com" }], username: "cycle-live" });
    const revoked = await runBulk(gw, { action: "REVOKE_SESSIONS", selection });
    expect(revoked).toMatchObject({ selected: 4, affected: 1, skipped: 3 });
    expect((await gw.gql(MeDocument, {}, { bearer: live.tokens.accessToken })).status).toBe(401);
  });

  it("ADD_TO_GROUP and REMOVE_FROM_GROUP by segment write set-based memberships with their events", async () => {
    const ids = await seedCustomers(gw, A(), "grp", 3);
    const group = globalId("Group", await seedGroup(gw, A(), "VIP"));
    const created = (await gw.gql(CreateSegmentDocument, { input: { name: "grp", filter: byPrefix("grp") } })).data!.createSegment;
    if (created.__typename !== "CreateSegmentPayload") throw new Error(JSON.stringify(created));
    const selection = { segmentId: created.segment.id };
    expect(await runBulk(gw, { action: "ADD_TO_GROUP", groupId: group, selection })).toMatchObject({ affected: 3 });
    expect(await runBulk(gw, { action: "ADD_TO_GROUP", groupId: group, selection })).toMatchObject({ affected: 0, skipped: 3 });
    expect(await gw.db.groupMembership.count({ where: { groupId: rowId(group) } })).toBe(3);
    const added = await eventsOf(gw, A(), "customer.group_added");
    expect(added.map((e) => e.customerId).sort()).toEqual(ids);
    expect(await runBulk(gw, { action: "REMOVE_FROM_GROUP", groupId: group, selection })).toMatchObject({ affected: 3 });
    expect(await gw.db.groupMembership.count({ where: { groupId: rowId(group) } })).toBe(0);
    expect((await eventsOf(gw, A(), "customer.group_removed")).length).toBe(3);
  });

  it("a group of another tenant, or none, is GROUP_NOT_FOUND and nothing happens", async () => {
    await seedCustomers(gw, A(), "grpx", 1);
    const foreign = globalId("Group", await seedGroup(gw, gw.tenants.B.id, "B's"));
    for (const groupId of [foreign, "nope"]) {
      const res = await expectNoWrites(gw.db, () =>
        gw.gql(RunBulkActionDocument, { input: { action: "ADD_TO_GROUP", groupId, selection: { filter: byPrefix("grpx") } } }),
      );
      expect(res.data!.runBulkAction).toMatchObject({ __typename: "NotFoundError", code: "GROUP_NOT_FOUND" });
    }
  });

  it("DELETE needs the count the caller saw (or confirm): otherwise BULK_COUNT_MISMATCH and nothing is deleted", async () => {
    const ids = await seedCustomers(gw, A(), "del", 3);
    const selection = { filter: byPrefix("del") };
    for (const extra of [{}, { expectedCount: 2 }, { expectedCount: 4, confirm: true }]) {
      const res = await expectNoWrites(gw.db, () => gw.gql(RunBulkActionDocument, { input: { action: "DELETE", selection, ...extra } }));
      expect(res.data!.runBulkAction).toMatchObject({ __typename: "RuleViolationError", code: "BULK_COUNT_MISMATCH" });
    }
    expect(await runBulk(gw, { action: "DELETE", selection, expectedCount: 3 })).toMatchObject({ affected: 3 });
    expect(await gw.db.customer.count({ where: { id: { in: ids } } })).toBe(0);
    const deleted = await eventsOf(gw, A(), "customer.deleted");
    expect(deleted.map((e) => e.data)).toEqual(expect.arrayContaining([{ uid: "del-uid-1" }]));
    const again = await runBulk(gw, { action: "DELETE", selection: { ids: customerIds(ids) }, confirm: true });
    expect(again).toMatchObject({ affected: 0, failed: 3 });
  });

  it("a filter never reaches another tenant's customers", async () => {
    const mine = await seedCustomers(gw, gw.tenants.B.id, "iso", 2);
    const theirs = await seedCustomers(gw, A(), "iso", 2);
    expect(await runBulk(gw, { action: "DISABLE", selection: { filter: byPrefix("iso") } }, "B")).toMatchObject({ affected: 2 });
    expect(await statusOf(mine)).toEqual(["DISABLED", "DISABLED"]);
    expect(await statusOf(theirs)).toEqual(["ACTIVE", "ACTIVE"]);
  });

  it("queues a connector delivery for each event of the batch, as the single mutations do", async () => {
    const input = { direction: "OUTFLOW" as const, name: "crm", url: "https://crm.example/hooks", events: ["customer.enabled"] };
    const connector = (await gw.gql(CreateConnectorDocument, { input })).data!.createConnector;
    if (connector.__typename !== "CreateConnectorPayload") throw new Error(JSON.stringify(connector));
    const ids = await seedCustomers(gw, A(), "hook", 2, "DISABLED");
    await runBulk(gw, { action: "ENABLE", selection: { ids: customerIds(ids) } });
    const queued = await gw.db.connectorDelivery.findMany({ where: { customerId: { in: ids } } });
    expect(queued.map((d) => [d.eventType, d.customerId]).sort()).toEqual(ids.map((id) => ["customer.enabled", id]));
  });

  it("is refused without CUSTOMERS_WRITE (a CUSTOMERS_READ credential, a customer's token) and writes nothing", async () => {
    const [one] = await seedCustomers(gw, A(), "scope", 1);
    const { credential, secret } = await createCredential(gw.serviceContext("A"), { name: "reader", scopes: ["CUSTOMERS_READ"] });
    const reader = { headers: { "x-api-key": credential.keyId, "x-api-secret": secret } };
    const customer = await gw.createSignedInCustomer({ emails: [{ address: "bulk-scope@example.com" }] });
    const input = { action: "DELETE" as const, confirm: true, selection: { ids: customerIds([one!]) } };
    for (const as of [reader, { bearer: customer.tokens.accessToken }]) {
      const res = await expectNoWrites(gw.db, () => gw.gql(RunBulkActionDocument, { input }, as));
      expect(res.errors?.[0]?.extensions?.code).toMatch(/FORBIDDEN|UNAUTHENTICATED/);
      const jobs = await gw.gql(BulkJobsDocument, { first: 1 }, as);
      expect(jobs.errors?.[0]?.extensions?.code).toMatch(/FORBIDDEN|UNAUTHENTICATED/);
    }
  });

  it("refuses bad input with typed errors and writes nothing", async () => {
    const cases = [
      [{ action: "DISABLE", selection: {} }, "input.selection"],
      [{ action: "DISABLE", selection: { ids: [], filter: {} } }, "input.selection"],
      [{ action: "BLOCK", selection: { filter: {} } }, "input.reason"],
      [{ action: "ADD_TO_GROUP", selection: { filter: {} } }, "input.groupId"],
      [{ action: "DISABLE", selection: { filter: { and: [] } } }, "input.selection.filter.and"],
    ] as const;
    for (const [input, field] of cases) {
      const res = await expectNoWrites(gw.db, () => gw.gql(RunBulkActionDocument, { input: input as never }));
      const payload = res.data!.runBulkAction;
      expect(payload.__typename, JSON.stringify(input)).toBe("ValidationError");
      if (payload.__typename === "ValidationError") expect(payload.issues.map((i) => i.field).join(" ")).toContain(field);
    }
    const res = await gw.gql(RunBulkActionDocument, { input: { action: "DISABLE", selection: { segmentId: "nope" } } });
    expect(res.data!.runBulkAction).toMatchObject({ code: "SEGMENT_NOT_FOUND" });
  });
});

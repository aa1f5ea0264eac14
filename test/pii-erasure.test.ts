import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyAuditChain } from "../src/audit/chain.ts";
import { loadDeliveryInput } from "../src/connectors/payload.ts";
import { eraseCustomer } from "../src/customers/erase.ts";
import { Keyring, keyringOf } from "../src/pii/keyring.ts";
import { rotateDataKeys } from "../src/pii/rotation.ts";
import { ERASED } from "../src/pii/seal.ts";
import { AccountInformationDocument, AuditEventsDocument, EraseCustomerDocument, UpdateCustomerDocument } from "./generated/graphql.ts";
import { subscribeAudit } from "./helpers/subscriber.ts";
import { rowId } from "./helpers/ids.ts";
import { useTestGateway } from "./helpers/suite.ts";

// PII in audit events is sealed with the customer's own key before it is written; erasure deletes
// the key (crypto-shredding): every API then shows "[erased]" while the stored rows keep their bytes.

const gw = useTestGateway({ listen: true });

const storedEvents = (customerId: string) =>
  gw.db.$queryRaw<{ id: string; type: string; data: string }[]>`
    SELECT id::text, type, data::text AS data FROM audit_event WHERE customer_id = ${rowId(customerId)}::uuid ORDER BY seq`;

const eventsOf = async (customerId: string) => {
  const result = await gw.gql(AuditEventsDocument, { filter: { customerId }, first: 50, direction: "ASC" });
  return result.data!.auditEvents.edges.map((e) => e.node);
};

async function customerWithHistory(uid: string) {
  const created = await gw.createCustomer({ uid, firstName: "Ada", emails: [{ address: `${uid}@pii.example` }] });
  const updated = await gw.gql(UpdateCustomerDocument, { id: created.id, input: { firstName: "Grace", birthdate: "1990-04-01" } });
  expect(updated.data?.updateCustomer.__typename).toBe("UpdateCustomerPayload");
  return created;
}

const AUDIT_WITH_DATA = `subscription ($filter: AuditEventFilter, $after: String) {
  auditEvents(filter: $filter, after: $after) { sequence cursor type customerId data }
}`;

describe("PII in audit events", () => {
  it("is stored sealed and read back opened by the audit list, the subscription replay and connector inputs", async () => {
    const customer = await customerWithHistory("sealed-1");
    const stored = await storedEvents(customer.id);
    expect(stored.map((e) => e.type)).toEqual(["customer.created", "customer.updated"]);
    for (const row of stored) {
      expect(row.data).toContain('"$sealed"');
      expect(row.data).not.toMatch(/Ada|Grace|sealed-1@pii|1990-04-01/);
    }
    expect(JSON.parse(stored[0]!.data).uid).toBe("sealed-1");

    const [created, updated] = await eventsOf(customer.id);
    expect(created!.data).toMatchObject({ uid: "sealed-1", emails: ["sealed-1@pii.example"] });
    expect(updated!.data).toEqual({
      changes: { firstName: { from: "Ada", to: "Grace" }, birthdate: { from: null, to: "1990-04-01T00:00:00.000Z" } },
    });

    const input = await loadDeliveryInput(gw.db, {
      id: "delivery",
      tenantId: gw.tenants.A.id,
      eventId: stored[1]!.id,
      customerId: rowId(customer.id),
      test: false,
    });
    expect(input.event.data).toEqual(updated!.data);

    const info = await gw.gql(AccountInformationDocument, { customerId: customer.id, format: "JSON" });
    expect(JSON.stringify(info.data?.accountInformation?.data)).toContain('"to":"Grace"');
  });

  it("is unreadable through every API after eraseCustomer, while the stored rows keep the same bytes", async () => {
    const customer = await customerWithHistory("erased-1");
    const before = await storedEvents(customer.id);
    const keys = await gw.db.customerKey.count({ where: { customerId: rowId(customer.id) } });
    expect(keys).toBe(1);

    const erased = await gw.gql(EraseCustomerDocument, { id: customer.id });
    expect(erased.data?.eraseCustomer).toEqual({ __typename: "EraseCustomerPayload", erasedCustomerId: customer.id });

    const after = await storedEvents(customer.id);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).map((e) => [e.type, e.data])).toEqual([["customer.erased", "{}"]]);
    expect(await gw.db.customerKey.count({ where: { customerId: rowId(customer.id) } })).toBe(0);
    // The tenant's hash chain covers the sealed bytes, so shredding the key leaves it intact.
    expect(await verifyAuditChain(gw.db, gw.tenants.A.id)).toMatchObject({ problem: null });

    const [created, updated] = await eventsOf(customer.id);
    expect(created!.data).toEqual({ uid: "erased-1", emails: ERASED, phones: ERASED, identities: [] });
    expect(updated!.data).toEqual({ changes: { firstName: ERASED, birthdate: ERASED } });

    const replay = subscribeAudit(gw.url, gw.tenants.A.headers, { after: "0", filter: { customerId: customer.id } }, AUDIT_WITH_DATA);
    await replay.waitFor(3);
    expect(replay.events.map((e) => (e as unknown as { data: unknown }).data)).toEqual([created!.data, updated!.data, {}]);
    await replay.close();

    const input = await loadDeliveryInput(gw.db, {
      id: "delivery",
      tenantId: gw.tenants.A.id,
      eventId: before[1]!.id,
      customerId: rowId(customer.id),
      test: false,
    });
    expect(input.event.data).toEqual({ changes: { firstName: ERASED, birthdate: ERASED } });
    expect(input.customer).toBeNull();
  });

  it("seals, on a node without the customer's key cached, under a key the audit statement stores: no statement more; erasure shreds every key", async () => {
    const customer = await customerWithHistory("cold-1");
    const keyring = keyringOf(gw.db)!;
    const update = async (firstName: string) => {
      gw.statements.reset();
      const result = await gw.gql(UpdateCustomerDocument, { id: customer.id, input: { firstName } });
      expect(result.data?.updateCustomer.__typename).toBe("UpdateCustomerPayload");
      return gw.statements.sql.filter((sql) => !/admin_credential/.test(sql)).length;
    };
    const warm = await update("Warm");
    keyring.forgetCustomer(rowId(customer.id)); // as on a node that just started
    expect(await update("Cold")).toBe(warm);
    expect(await gw.db.customerKey.count({ where: { customerId: rowId(customer.id) } })).toBe(2);
    expect(await update("Warm again")).toBe(warm); // the cold write's key is cached after commit
    expect(await gw.db.customerKey.count({ where: { customerId: rowId(customer.id) } })).toBe(2);
    const names = (await eventsOf(customer.id))
      .slice(2)
      .map((e) => (e.data as { changes: { firstName: { to: string } } }).changes.firstName.to);
    expect(names).toEqual(["Warm", "Cold", "Warm again"]);

    await gw.gql(EraseCustomerDocument, { id: customer.id });
    expect(await gw.db.customerKey.count({ where: { customerId: rowId(customer.id) } })).toBe(0);
    expect((await eventsOf(customer.id)).slice(2, 5).map((e) => e.data)).toEqual(Array(3).fill({ changes: { firstName: ERASED } }));
  });

  it("stays readable when a sealed value is moved to another event, as erased (the event id is bound in)", async () => {
    const customer = await customerWithHistory("moved-1");
    const [created, updated] = await storedEvents(customer.id);
    const sealedName = JSON.parse(updated!.data).changes.firstName;
    const forged = { ...JSON.parse(created!.data), emails: sealedName };
    const opened = await import("../src/pii/audit-seal.ts").then((m) =>
      m.unsealAuditData(gw.db, [{ id: created!.id, tenantId: gw.tenants.A.id, data: forged }]),
    );
    expect(opened[0]!.data).toMatchObject({ emails: ERASED });
  });
});

describe("eraseCustomer without a master key", () => {
  it("answers ERASURE_UNAVAILABLE and deletes nothing", async () => {
    const customer = await customerWithHistory("unkeyed-1");
    // A client this gateway attached no keyring to: what a PostgreSQL gateway without MASTER_KEY holds.
    const unkeyed = { ...gw.serviceContext(), db: Object.create(gw.db) as typeof gw.db };
    await expect(eraseCustomer(unkeyed, rowId(customer.id))).rejects.toMatchObject({ code: "ERASURE_UNAVAILABLE" });
    expect(await gw.db.customer.count({ where: { id: rowId(customer.id) } })).toBe(1);
  });
});

describe("data key rotation", () => {
  it("re-wraps every data key under a new MASTER_KEY and adds a version, and sealed events stay readable", async () => {
    const customer = await customerWithHistory("rotated-1");
    const previous = gw.app.auth.keys.masterKey!;
    const next = randomBytes(32);
    const versions = await gw.db.dataKey.findMany({ where: { tenantId: gw.tenants.A.id }, orderBy: { version: "asc" } });
    const done = await rotateDataKeys(gw.db, { current: next, previous });
    expect(done.rewrapped).toBeGreaterThanOrEqual(versions.length);

    const rotated = await gw.db.dataKey.findMany({ where: { tenantId: gw.tenants.A.id }, orderBy: { version: "asc" } });
    expect(rotated.map((k) => k.version)).toEqual([...versions.map((k) => k.version), versions.length + 1]);
    const onlyNext = new Keyring({ current: next, previous: null });
    const onlyPrevious = new Keyring({ current: previous, previous: null });
    for (const [i, row] of versions.entries()) {
      expect(rotated[i]!.wrapped).not.toBe(row.wrapped);
      expect(onlyNext.unwrapDataKey(rotated[i]!).key).toEqual(onlyPrevious.unwrapDataKey(row).key);
      expect(() => new Keyring({ current: previous, previous: null }).unwrapDataKey(rotated[i]!)).toThrow();
    }
    const [, updated] = await eventsOf(customer.id);
    expect(updated!.data).toMatchObject({ changes: { firstName: { from: "Ada", to: "Grace" } } });
    // Put the test gateway's master key back in charge for the tests that follow.
    await rotateDataKeys(gw.db, { current: previous, previous: next });
  });
});

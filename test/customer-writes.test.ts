import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { describe, expect, it } from "vitest";
import { requireCustomer } from "../src/db/customer-lock.ts";
import { transact } from "../src/db/transact.ts";
import type { AuditEvent } from "../src/generated/prisma/client.ts";
import {
  AddEmailReturningIdDocument,
  BlockCustomerReturningIdDocument,
  CreateCustomerReturningIdDocument,
  UnblockCustomerReturningIdDocument,
  UpdateCustomerReturningIdDocument,
} from "./generated/graphql.ts";
import { rowId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";
import { useTestGateway } from "./helpers/suite.ts";

// What an admin write costs and what it leaves behind: createCustomer with an initial password in
// one request and one transaction, the statements each write sends (bench/write.ts times them),
// and the audit events written together in the transaction's last statement.

const gw = useTestGateway();
let n = 0;
const email = () => `writes-${++n}@example.com`;

/**
 * Sends one request; returns its answer and the statements it cost: authentication included, BEGIN
 * and COMMIT not (PGlite's adapter commits without a statement).
 */
async function counted<R, V extends Record<string, unknown>>(doc: TypedDocumentNode<R, V>, variables: V) {
  // Authentication stamps the credential's lastUsedAt at most once a minute: stamp it now, so that
  // write never lands in a count.
  await gw.db.adminCredential.updateMany({ where: { keyId: gw.tenants.A.keyId }, data: { lastUsedAt: new Date() } });
  gw.statements.reset();
  const res = await gw.gql(doc, variables);
  const sql = gw.statements.sql.filter((s) => s !== "COMMIT");
  return { res, statements: sql.length, sql };
}

describe("createCustomer with an initial password", () => {
  it("creates a customer who can sign in at once, in one transaction, and audits customer.password_set without the password", async () => {
    const address = email();
    const password = "a long and unusual passphrase";
    const { res, statements } = await counted(CreateCustomerReturningIdDocument, { input: { emails: [{ address }], password } });
    expect(res.data!.createCustomer.__typename).toBe("CreateCustomerPayload");
    const id = (res.data!.createCustomer as { customer: { id: string } }).customer.id;
    // Authentication, the definitions lock and the custom-field definitions, the email check, the
    // customer, its email, the two audit events with the new customer's PII key (one statement).
    expect(statements).toBe(7);

    const stored = await gw.db.customer.findUniqueOrThrow({ where: { id: rowId(id) } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
    expect(stored.passwordChangedAt).toBeInstanceOf(Date);
    const events = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.customerId === stored.id);
    expect(events.map((e) => e.type)).toEqual(["customer.created", "customer.password_set"]);
    expect(events[1].seq).toBe(events[0].seq + 1n);
    expect(events[1].data).toEqual({ hadPassword: false, revokedSessions: 0, invalidatedTokens: 0 });
    const trail = JSON.stringify(events, (_key, value) => (typeof value === "bigint" ? value.toString() : value));
    expect(trail).not.toContain(password);
    expect(trail).not.toContain("argon2");

    const signedIn = await gw.signIn(address, password);
    expect(signedIn.customerId).toBe(id);
  });

  it.each([
    ["too short", "short", /at least/],
    ["on the list of common passwords", "password", /too common/],
  ])("refuses a password that is %s with a ValidationError on password, and writes nothing", async (_what, password, message) => {
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(CreateCustomerReturningIdDocument, { input: { emails: [{ address: email() }], password } }),
    );
    expect(res.data!.createCustomer).toMatchObject({
      __typename: "ValidationError",
      code: "VALIDATION_FAILED",
      issues: [{ field: "password", message: expect.stringMatching(message) }],
    });
  });

  it("without a password creates a customer who cannot sign in with one", async () => {
    const customer = await gw.createCustomer({ emails: [{ address: email() }] });
    const stored = await gw.db.customer.findUniqueOrThrow({ where: { id: rowId(customer.id) } });
    expect(stored.passwordHash).toBeNull();
    const events = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.customerId === stored.id);
    expect(events.map((e) => e.type)).toEqual(["customer.created"]);
  });
});

describe("statements per write", () => {
  // Each: authentication, the customer locked and loaded (one statement), the change (block also
  // ends live sessions; addEmail reads the contacts once for both its checks, and its lock stamps
  // updatedAt), the audit events (one statement). A read-back for the response adds one.
  it("updateCustomer, blockCustomer, unblockCustomer and addEmail send 4, 5, 4 and 5 statements", async () => {
    const { id } = await gw.createCustomer({ emails: [{ address: email() }] });
    const update = await counted(UpdateCustomerReturningIdDocument, { id, input: { firstName: "Grace" } });
    const block = await counted(BlockCustomerReturningIdDocument, { id, reason: "chargeback" });
    const unblock = await counted(UnblockCustomerReturningIdDocument, { id });
    const add = await counted(AddEmailReturningIdDocument, { customerId: id, email: { address: email() } });
    for (const { res } of [update, block, unblock, add]) expect(Object.values(res.data!)[0].__typename).toMatch(/Payload$/);
    expect([update.statements, block.statements, unblock.statements, add.statements]).toEqual([4, 5, 4, 5]);
  });
});

describe("the customer lock and the audit events", () => {
  it("requireCustomer loads exactly what Prisma's findUnique loads, in one statement", async () => {
    const { id } = await gw.createCustomer({
      emails: [{ address: email() }],
      firstName: "Ada",
      birthdate: "1990-02-03",
      addresses: [{ city: "London", country: "GB" }],
      customFields: { plan: "pro", nested: { a: [1, 2] } },
    });
    const ctx = gw.serviceContext("A");
    gw.statements.reset();
    const locked = await gw.db.$transaction((tx) => requireCustomer(tx, ctx, rowId(id)));
    expect(gw.statements.sql.filter((s) => s.includes("FOR UPDATE"))).toHaveLength(1);
    expect(locked).toStrictEqual(await gw.db.customer.findUniqueOrThrow({ where: { id: rowId(id) } }));
  });

  it("publishes each event exactly as it is stored, with consecutive sequence numbers in the order recorded", async () => {
    const ctx = gw.serviceContext("A");
    const published: AuditEvent[] = [];
    const stop = gw.app.events.listen(gw.tenants.A.id, (e) => published.push(e));
    try {
      const returned = await transact(ctx, async (_tx, audit) => {
        await audit({ type: "test.first", data: { when: new Date("2026-01-02T03:04:05.678Z"), nested: { list: [1, "two"] } } });
        return audit({ type: "test.second", customerId: null });
      });
      expect(published.map((e) => e.type)).toEqual(["test.first", "test.second"]);
      expect(published[1].seq).toBe(published[0].seq + 1n);
      expect(returned).toStrictEqual(published[1]);
      const stored = await gw.db.auditEvent.findMany({ where: { id: { in: published.map((e) => e.id) } }, orderBy: { seq: "asc" } });
      expect(published).toStrictEqual(stored);
      const { auditSeq } = await gw.db.tenant.findUniqueOrThrow({ where: { id: gw.tenants.A.id } });
      expect(auditSeq).toBe(published[1].seq);
    } finally {
      stop();
    }
  });

  it("a transaction that throws after recording events writes and publishes none", async () => {
    const ctx = gw.serviceContext("A");
    const published: AuditEvent[] = [];
    const stop = gw.app.events.listen(gw.tenants.A.id, (e) => published.push(e));
    try {
      await expectNoWrites(gw.db, () =>
        expect(
          transact(ctx, async (_tx, audit) => {
            await audit({ type: "test.doomed" });
            throw new Error("changed my mind");
          }),
        ).rejects.toThrow("changed my mind"),
      );
      expect(published).toEqual([]);
    } finally {
      stop();
    }
  });
});

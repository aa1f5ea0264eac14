import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { beforeAll, describe, expect, it } from "vitest";
import { useTestGateway } from "./helpers/suite.ts";
import { grantConsent } from "../src/consents/service.ts";
import { createCustomObject } from "../src/custom-objects/service.ts";
import { createCustomer } from "../src/customers/service.ts";
import { createSession } from "../src/sessions/service.ts";
import {
  AuditEventCustomersDocument,
  CustomerNestedDocument,
  CustomersNestedDocument,
  type NestedCustomerFragment,
} from "./generated/graphql.ts";
import { globalId } from "./helpers/ids.ts";

// "N+1 is a bug" (CONTRIBUTING): a page of customers with every nested list costs the same number
// of SQL statements whether it holds 5 customers or 50. gw.statements counts every statement
// the gateway sends through Prisma, authentication included. The nested operation is the one
// bench/profile.ts times (test/operations/nested-profile.graphql).

const CUSTOMERS = 50;

const gw = useTestGateway();
const customerIds: string[] = [];

beforeAll(async () => {
  const ctx = gw.serviceContext("A");
  // Each customer: 2 identities, 2 sessions, 2 consents, 2 custom objects (and an email).
  for (let i = 0; i < CUSTOMERS; i++) {
    const customer = await createCustomer(ctx, {
      firstName: `Customer ${i}`,
      emails: [{ value: `n-plus-one-${i}@example.com`, primary: true, verified: false }],
      identities: [
        { provider: "google", providerUserId: `g-${i}` },
        { provider: "password", providerUserId: `p-${i}` },
      ],
    });
    for (const userAgent of ["Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0", "curl/8.4.0"]) {
      await createSession(ctx, customer.id, { ip: "203.0.113.7", userAgent });
    }
    for (const purpose of ["marketing.email", "terms"]) await grantConsent(ctx, customer.id, { purpose, version: "1", source: "seed" });
    for (const name of ["wishlist", "purchases"]) await createCustomObject(ctx, customer.id, { name, data: { customer: i, name } });
    customerIds.push(globalId("Customer", customer.id));
  }
});

/**
 * Sends one request and returns its answer with the statements it cost. The credential's
 * lastUsedAt is stamped first so that authentication (which stamps it at most once a minute)
 * never adds a write to one measurement and not to another.
 */
async function measure<R, V extends Record<string, unknown>>(doc: TypedDocumentNode<R, V>, variables: V) {
  await gw.db.adminCredential.updateMany({ where: { keyId: gw.tenants.A.keyId }, data: { lastUsedAt: new Date() } });
  gw.statements.reset();
  const res = await gw.gql(doc, variables);
  const statements = gw.statements.count;
  const sql = [...gw.statements.sql];
  expect(res.errors).toBeUndefined();
  return { data: res.data!, statements, sql };
}

/** Every nested list of a customer holds the two seeded rows. */
function expectFullyNested(c: NestedCustomerFragment) {
  expect(c.primaryEmail).toMatch(/^n-plus-one-\d+@example\.com$/);
  expect(c.identities.edges).toHaveLength(2);
  expect(c.sessions.edges).toHaveLength(2);
  expect(c.consents.edges).toHaveLength(2);
  expect(c.customObjects.edges).toHaveLength(2);
}

// Authentication (one read) + the page of customer ids + one query that joins the customers'
// contacts, identities, sessions, consents and custom objects (Prisma relationJoins: LATERAL
// joins with LIMIT per customer). A list loaded per customer would add statements with N.
const MAX_STATEMENTS = 3;

describe("nested customer lists", () => {
  it("customers(first: N) with identities, sessions, consents and custom objects costs the same statements for N = 5 and N = 50", async () => {
    const five = await measure(CustomersNestedDocument, { first: 5 });
    const fifty = await measure(CustomersNestedDocument, { first: 50 });
    console.log(`customers(first: 5): ${five.statements} statements; customers(first: 50): ${fifty.statements} statements`);
    expect(five.data.customers.edges).toHaveLength(5);
    expect(fifty.data.customers.edges).toHaveLength(CUSTOMERS);
    for (const { node } of fifty.data.customers.edges) expectFullyNested(node);
    expect(fifty.statements, fifty.sql.join("\n")).toBe(five.statements);
    expect(fifty.statements, fifty.sql.join("\n")).toBeLessThanOrEqual(MAX_STATEMENTS);
  });

  it("customer(id) with the same nesting loads everything in a constant, small number of statements", async () => {
    const one = await measure(CustomerNestedDocument, { id: customerIds[0] });
    const other = await measure(CustomerNestedDocument, { id: customerIds[CUSTOMERS - 1] });
    console.log(`customer(id): ${one.statements} statements`);
    expectFullyNested(one.data.customer!);
    expect(other.statements).toBe(one.statements);
    expect(one.statements, one.sql.join("\n")).toBeLessThanOrEqual(MAX_STATEMENTS - 1); // no page of ids to find first
  });
});

describe("audit events with their customers", () => {
  it("auditEvents(first: N) { customer } costs the same statements for N = 5 and N = 50 (one batched customer load)", async () => {
    const five = await measure(AuditEventCustomersDocument, { first: 5 });
    const fifty = await measure(AuditEventCustomersDocument, { first: 50 });
    console.log(`auditEvents(first: 5): ${five.statements} statements; auditEvents(first: 50): ${fifty.statements} statements`);
    const customersOf = (edges: { node: { customer?: { id: string } | null } }[]) => new Set(edges.map((e) => e.node.customer?.id));
    expect(fifty.data.auditEvents.edges).toHaveLength(50);
    // 50 events (7 per seeded customer, newest first) name 8 different customers, all loaded.
    expect(customersOf(fifty.data.auditEvents.edges).size).toBeGreaterThan(customersOf(five.data.auditEvents.edges).size);
    expect(fifty.data.auditEvents.edges.every((e) => e.node.customer !== null)).toBe(true);
    expect(fifty.statements, fifty.sql.join("\n")).toBe(five.statements);
    // Authentication, the page of events, one load of all their customers.
    expect(fifty.statements, fifty.sql.join("\n")).toBeLessThanOrEqual(3);
  });
});

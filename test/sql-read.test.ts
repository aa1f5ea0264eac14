import { beforeAll, describe, expect, it } from "vitest";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { sqlReadState } from "../src/graphql/sql-read/plugin.ts";
import { grantConsent, revokeConsent } from "../src/consents/service.ts";
import { createCustomObject } from "../src/custom-objects/service.ts";
import { createCustomer } from "../src/customers/service.ts";
import { blockCustomer } from "../src/customers/status.ts";
import { createSession, revokeSession } from "../src/sessions/service.ts";
import {
  CustomerConsentsDocument,
  CustomerCustomObjectsDocument,
  CustomerDocument,
  CustomerIdentitiesDocument,
  CustomerNestedDocument,
  CustomersDocument,
  CustomerSessionsDocument,
  CustomerSignInLockDocument,
  CustomersNestedDocument,
  CustomersPageOnlyDocument,
  CustomerWithEverythingDocument,
  CustomObjectDocument,
  MeBlockReasonDocument,
  MeDocument,
} from "./generated/graphql.ts";
import { globalId } from "./helpers/ids.ts";
import { useTestGateway } from "./helpers/suite.ts";
import type { As } from "./helpers/gateway.ts";
import { parse } from "graphql";

// The SQL read (src/graphql/sql-read/) answers covered queries from one statement per root;
// every answer must equal the normal path's (graphql-js + Pothos + Prisma), data and errors
// alike, on the same gateway and rows. Each case runs both ways and says which path served it.

const gw = useTestGateway();
const ids: string[] = [];

beforeAll(async () => {
  const ctx = gw.serviceContext("A");
  for (let i = 0; i < 5; i++) {
    const c = await createCustomer(ctx, {
      firstName: `C ${i}`,
      lastName: i % 2 ? "Odd" : null,
      username: `sql-read-${i}`,
      birthdate: new Date("1990-02-03"),
      addresses: i === 0 ? [{ type: "home", line1: "1 Main St", city: "Springfield", country: "US" }] : [],
      emails: [
        { value: `sql-read-${i}@example.com`, primary: true, verified: true },
        { value: `other-${i}@example.com`, primary: false, verified: false },
      ],
      phones: i === 1 ? [{ value: "+14155550100", primary: true, verified: false }] : [],
      identities: [
        { provider: "google", providerUserId: `g-${i}`, profile: { name: `C ${i}` } },
        { provider: "password", providerUserId: `p-${i}` },
      ],
      customFields: { plan: i % 2 ? "pro" : "free" },
    });
    const sessions = [];
    for (const userAgent of ["Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0", "curl/8.4.0", "curl/8.5.0"]) {
      sessions.push(await createSession(ctx, c.id, { ip: "203.0.113.7", userAgent }));
    }
    await revokeSession(ctx, sessions[1].id);
    await grantConsent(ctx, c.id, { purpose: "terms", version: "1", source: "seed" });
    await grantConsent(ctx, c.id, { purpose: "terms", version: "2", source: "seed" });
    await grantConsent(ctx, c.id, { purpose: "marketing.email", version: "1", source: "seed" });
    if (i === 2) await revokeConsent(ctx, c.id, "marketing.email", { source: "test" });
    for (let k = 0; k < 12; k++) await createCustomObject(ctx, c.id, { name: k % 3 ? "wishlist" : "purchases", data: { k, tags: ["a"] } });
    if (i === 3) await blockCustomer(ctx, c.id, { reason: "fraud check", until: new Date(Date.now() + 3600_000).toISOString() });
    ids.push(globalId("Customer", c.id));
  }
});

/** Runs the operation on the normal path, then with the SQL read on; returns both and who served the second. */
async function both<R, V extends Record<string, unknown>>(doc: TypedDocumentNode<R, V>, variables: V, as?: As) {
  sqlReadState.enabled = false;
  const normal = await gw.gql(doc, variables, as);
  sqlReadState.enabled = true;
  const before = { served: sqlReadState.served, fallbacks: sqlReadState.fallbacks };
  const fast = await gw.gql(doc, variables, as);
  const served = sqlReadState.served - before.served;
  const fellBack = sqlReadState.fallbacks - before.fallbacks;
  return { normal, fast, path: served ? "sql" : fellBack ? "fallback" : "normal", lastFallback: sqlReadState.lastFallback };
}

async function expectSame<R, V extends Record<string, unknown>>(path: string, doc: TypedDocumentNode<R, V>, variables: V, as?: As) {
  const r = await both(doc, variables, as);
  expect(r.fast).toEqual(r.normal);
  expect(r.path, String(r.lastFallback)).toBe(path);
  return r.normal;
}

describe("the SQL read answers exactly what the normal path answers", () => {
  it("the nested profile, one customer and a page", async () => {
    const one = await expectSame("sql", CustomerNestedDocument, { id: ids[0] });
    expect(one.data?.customer?.customObjects.edges).toHaveLength(10);
    await expectSame("sql", CustomersNestedDocument, { first: 3 });
    await expectSame("sql", CustomersNestedDocument, { first: 50 });
  });

  it("costs one statement per root whatever the page size (the ids of a page are one more)", async () => {
    const statements = async (run: () => Promise<unknown>) => {
      await gw.db.adminCredential.updateMany({ where: { keyId: gw.tenants.A.keyId }, data: { lastUsedAt: new Date() } });
      const served = sqlReadState.served;
      gw.statements.reset();
      await run();
      expect(sqlReadState.served).toBe(served + 1);
      return gw.statements.count;
    };
    const one = await statements(() => gw.gql(CustomerNestedDocument, { id: ids[0] }));
    const two = await statements(() => gw.gql(CustomersNestedDocument, { first: 2 }));
    const five = await statements(() => gw.gql(CustomersNestedDocument, { first: 5 }));
    expect(five).toBe(two);
    expect(two).toBe(one + 1);
  });

  it("every customer field an admin reads, blocked or not", async () => {
    for (const id of ids) await expectSame("sql", CustomerDocument, { id });
    await expectSame("sql", CustomerSignInLockDocument, { id: ids[3] });
  });

  it("nested connections: arguments, filters, totalCount, pages and cursors", async () => {
    for (const active of [true, false, null]) await expectSame("sql", CustomerSessionsDocument, { id: ids[0], active, first: 2 });
    const first = await expectSame("sql", CustomerSessionsDocument, { id: ids[1], first: 1 });
    const after = first.data!.customer!.sessions.pageInfo.endCursor;
    await expectSame("sql", CustomerSessionsDocument, { id: ids[1], first: 1, after });
    await expectSame("sql", CustomerConsentsDocument, { id: ids[2], purpose: "terms" });
    await expectSame("sql", CustomerConsentsDocument, { id: ids[2], purpose: null });
    for (const name of ["wishlist", "purchases", null])
      await expectSame("sql", CustomerCustomObjectsDocument, { id: ids[0], name, first: 3 });
    const page = await expectSame("sql", CustomerCustomObjectsDocument, { id: ids[0], name: null, first: 5 });
    await expectSame("sql", CustomerCustomObjectsDocument, {
      id: ids[0],
      name: null,
      first: 5,
      after: page.data!.customer!.customObjects.pageInfo.endCursor,
    });
    await expectSame("sql", CustomerWithEverythingDocument, { id: ids[4] });
  });

  it("another root: a custom object by id, with its customer", async () => {
    const page = await expectSame("sql", CustomerCustomObjectsDocument, { id: ids[1], name: null, first: 2 });
    for (const edge of page.data!.customer!.customObjects.edges) {
      const one = await expectSame("sql", CustomObjectDocument, { id: edge.node.id });
      expect(one.data?.customObject?.customer.id).toBe(ids[1]);
      expect((await expectSame("sql", CustomObjectDocument, { id: edge.node.id }, "B")).data?.customObject).toBeNull();
    }
  });

  it("aliases, __typename, inline fragments and the same connection twice with other arguments", async () => {
    const doc = parse(`
      fragment Mine on Customer { __typename uid ... on Customer { nickname lastName } }
      query Aliased($id: ID!, $first: Int = 2) {
        customer(id: $id) {
          ...Mine
          key: id
          live: sessions(active: true, first: $first) { totalCount edges { cursor node { __typename id active revokedAt geo { country } customer { uid firstName } } } }
          ended: sessions(active: false) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }
          consentHistory { totalCount edges { node { purpose version active revokeSource grantedAt } } }
          wishlist: customObjects(name: "wishlist", first: 1) { edges { node { name data createdAt updatedAt } } pageInfo { hasNextPage } }
          emails { address primary verified verifiedAt addedAt }
          phones { number primary }
          addresses { type line1 city country }
          identities { edges { node { provider profile linkedAt lastUsedAt } } }
          customFields blockReason blockedUntil status signInLockedUntil createdAt updatedAt lastLoginAt birthdate
        }
        page: customers(first: 3, orderBy: { direction: ASC }) {
          pageInfo { hasNextPage endCursor startCursor hasPreviousPage }
          edges { cursor node { ...Mine sessions(first: 1) { edges { node { id } } } } }
        }
      }`) as TypedDocumentNode<unknown, Record<string, unknown>>;
    for (const id of ids) await expectSame("sql", doc, { id });
    const skipped = parse(`query Skip($id: ID!, $no: Boolean!) { customer(id: $id) { id uid @skip(if: $no) } }`);
    await expectSame("normal", skipped as TypedDocumentNode<unknown, Record<string, unknown>>, { id: ids[0], no: true });
  });

  it("root pages: first, after, order", async () => {
    const page = await expectSame("sql", CustomersPageOnlyDocument, { first: 2 });
    await expectSame("sql", CustomersPageOnlyDocument, { first: 2, after: page.data!.customers.pageInfo.endCursor });
    await expectSame("sql", CustomersPageOnlyDocument, { first: 3, filter: { name: { startsWith: "c" } } });
  });

  it("shapes it does not cover take the normal path", async () => {
    // totalCount of the root page.
    await expectSame("normal", CustomersDocument, { first: 2 });
    await expectSame("sql", CustomerIdentitiesDocument, { id: ids[0], first: 1 });
  });

  it("not found, malformed, foreign and forged: the same null or error", async () => {
    await expectSame("sql", CustomerNestedDocument, { id: globalId("Customer", "00000000-0000-4000-8000-000000000000") });
    await expectSame("sql", CustomerNestedDocument, { id: "not a global id" });
    await expectSame("sql", CustomerNestedDocument, { id: globalId("Session", "00000000-0000-4000-8000-000000000000") });
    // Tenant B asking for tenant A's customer: null on both paths.
    const foreign = await expectSame("sql", CustomerNestedDocument, { id: ids[0] }, "B");
    expect(foreign.data?.customer).toBeNull();
    const page = await expectSame("sql", CustomersNestedDocument, { first: 50 }, "B");
    expect(page.data?.customers.edges).toEqual([]);
    // Errors stay the normal path's: a page too large, a forged cursor, backwards paging.
    await expectSame("fallback", CustomersNestedDocument, { first: 101 });
    await expectSame("fallback", CustomersPageOnlyDocument, { first: 1, after: "forged" });
    await expectSame("fallback", CustomerSessionsDocument, { id: ids[0], first: 1, after: "forged" });
  });

  it("me: a signed-in customer's own profile, with everything a customer may read", async () => {
    const signedIn = await gw.createSignedInCustomer({ firstName: "Self", emails: [{ address: "sql-read-me@example.com" }] });
    const me = await expectSame("sql", MeDocument, {}, signedIn.as);
    expect(me.data?.me.primaryEmail).toBe("sql-read-me@example.com");
    // A field only admins may read: the rules refuse it on both paths alike.
    const refused = await expectSame("normal", MeBlockReasonDocument, {}, signedIn.as);
    expect(refused.errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });

  it("callers the rules refuse get the normal path's refusal", async () => {
    const anonymous = await expectSame("normal", CustomerNestedDocument, { id: ids[0] }, "anonymous");
    expect(anonymous.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    const signedIn = await gw.createSignedInCustomer({ firstName: "Token", emails: [{ address: "sql-read-token@example.com" }] });
    const customer = await expectSame("normal", CustomerNestedDocument, { id: signedIn.customer.id }, signedIn.as);
    expect(customer.errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });
});

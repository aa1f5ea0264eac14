import { describe, expect, it } from "vitest";
import { useTestGateway } from "./helpers/suite.ts";
import {
  CustomerIdentitiesDocument,
  DeleteCustomerDocument,
  IdentityNodeDocument,
  LinkIdentityDocument,
  UnlinkIdentityDocument,
} from "./generated/graphql.ts";
import { globalId, rowId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";

const gw = useTestGateway();

/** A customer with two identities: Google account `g-<account>` and password account `<account>`. */
const withGoogleAndPassword = (account: string) =>
  gw.createCustomer({
    identities: [
      { provider: "google", providerUserId: `g-${account}` },
      { provider: "password", providerUserId: account },
    ],
  });

async function link(customerId: string, provider: string, providerUserId: string, profile?: Record<string, unknown>) {
  const payload = (await gw.gql(LinkIdentityDocument, { customerId, identity: { provider, providerUserId, profile } })).data!.linkIdentity;
  if (payload.__typename !== "LinkIdentityPayload") throw new Error(`link failed: ${JSON.stringify(payload)}`);
  return payload.customer.identities.edges.map((e) => e.node);
}

const lastEvent = async (tenantId = gw.tenants.A.id) => (await auditTrail(gw.db, tenantId)).at(-1)!;

describe("linkIdentity", () => {
  it("links an identity with its raw profile and records identity.linked with provider, account and identity id", async () => {
    const c = await gw.createCustomer({ emails: [{ address: "link@example.com" }] });
    const identities = await link(c.id, " Google ", "g-100", { sub: "g-100", email_verified: true, name: { given: "Ada" } });
    expect(identities).toHaveLength(1);
    expect(identities[0]).toMatchObject({
      provider: "google",
      providerUserId: "g-100",
      profile: { sub: "g-100", email_verified: true, name: { given: "Ada" } },
      lastUsedAt: null,
    });
    expect(new Date(identities[0].linkedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const event = await lastEvent();
    expect(event).toMatchObject({ type: "identity.linked", customerId: rowId(c.id), actorKind: "ADMIN" });
    expect(event.data).toEqual({ provider: "google", providerUserId: "g-100", identityId: rowId(identities[0].id) });
  });

  it("stores an empty profile when none is given", async () => {
    const c = await gw.createCustomer({ emails: [{ address: "noprofile@example.com" }] });
    const [identity] = await link(c.id, "password", "noprofile@example.com");
    expect(identity.profile).toEqual({});
  });

  it("answers IDENTITY_TAKEN when the account is linked to any customer of the tenant, and writes nothing", async () => {
    const owner = await gw.createCustomer({ identities: [{ provider: "github", providerUserId: "gh-1" }] });
    const other = await gw.createCustomer({ emails: [{ address: "other-gh@example.com" }] });
    for (const [customerId, provider] of [
      [other.id, "github"],
      [owner.id, "GitHub"],
    ]) {
      const res = await expectNoWrites(gw.db, () =>
        gw.gql(LinkIdentityDocument, { customerId, identity: { provider, providerUserId: "gh-1" } }),
      );
      expect(res.data!.linkIdentity).toMatchObject({ __typename: "ConflictError", code: "IDENTITY_TAKEN", field: "providerUserId" });
    }
  });

  it("lets another tenant link the same provider account", async () => {
    await gw.createCustomer({ identities: [{ provider: "apple", providerUserId: "shared-1" }] });
    const b = await gw.createCustomer({ emails: [{ address: "b-apple@example.com" }] }, "B");
    const res = await gw.gql(LinkIdentityDocument, { customerId: b.id, identity: { provider: "apple", providerUserId: "shared-1" } }, "B");
    expect(res.data!.linkIdentity.__typename).toBe("LinkIdentityPayload");
  });

  it("rejects a malformed provider and an empty account id with VALIDATION_FAILED naming each field, and writes nothing", async () => {
    const c = await gw.createCustomer({ emails: [{ address: "invalid-link@example.com" }] });
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(LinkIdentityDocument, { customerId: c.id, identity: { provider: "no spaces!", providerUserId: "  " } }),
    );
    const payload = res.data!.linkIdentity;
    expect(payload).toMatchObject({ __typename: "ValidationError", code: "VALIDATION_FAILED" });
    if (payload.__typename !== "ValidationError") return;
    expect(payload.issues.map((i) => i.field).sort()).toEqual(["provider", "providerUserId"]);
  });

  it("answers CUSTOMER_NOT_FOUND for a deleted, malformed or wrongly typed customer id, and writes nothing", async () => {
    const c = await gw.createCustomer({ emails: [{ address: "gone-link@example.com" }] });
    await gw.gql(DeleteCustomerDocument, { id: c.id });
    for (const customerId of [c.id, "garbage", globalId("Identity", rowId(c.id))]) {
      const res = await expectNoWrites(gw.db, () =>
        gw.gql(LinkIdentityDocument, { customerId, identity: { provider: "google", providerUserId: "g-gone" } }),
      );
      expect(res.data!.linkIdentity).toMatchObject({ __typename: "NotFoundError", code: "CUSTOMER_NOT_FOUND" });
    }
  });
});

describe("unlinkIdentity", () => {
  it("unlinks one of several identities and records identity.unlinked", async () => {
    const c = await gw.createCustomer({ emails: [{ address: "unlink@example.com" }] });
    await link(c.id, "password", "unlink@example.com");
    const [, google] = await link(c.id, "google", "g-unlink");
    const res = await gw.gql(UnlinkIdentityDocument, { customerId: c.id, identityId: google.id });
    expect(res.data!.unlinkIdentity).toMatchObject({
      __typename: "UnlinkIdentityPayload",
      customer: { id: c.id, identities: { edges: [{ node: { provider: "password", providerUserId: "unlink@example.com" } }] } },
    });
    const event = await lastEvent();
    expect(event).toMatchObject({ type: "identity.unlinked", customerId: rowId(c.id) });
    expect(event.data).toEqual({ provider: "google", providerUserId: "g-unlink", identityId: rowId(google.id) });
    expect(await gw.db.identity.count({ where: { id: rowId(google.id) } })).toBe(0);
  });

  it("refuses to unlink the customer's last identity with LAST_SIGN_IN_METHOD, and writes nothing", async () => {
    const c = await gw.createCustomer({ identities: [{ provider: "facebook", providerUserId: "fb-last" }] });
    const identityId = (await gw.gql(CustomerIdentitiesDocument, { id: c.id })).data!.customer!.identities.edges[0].node.id;
    const res = await expectNoWrites(gw.db, () => gw.gql(UnlinkIdentityDocument, { customerId: c.id, identityId }));
    expect(res.data!.unlinkIdentity).toMatchObject({ __typename: "RuleViolationError", code: "LAST_SIGN_IN_METHOD" });
  });

  it("answers IDENTITY_NOT_FOUND for another customer's identity, a removed one, a malformed id or a customer id, and writes nothing", async () => {
    const mine = await gw.createCustomer({ emails: [{ address: "mine@example.com" }] });
    await link(mine.id, "password", "mine@example.com");
    const [, removed] = await link(mine.id, "google", "g-removed");
    await gw.gql(UnlinkIdentityDocument, { customerId: mine.id, identityId: removed.id });
    const theirs = await gw.createCustomer({
      identities: [
        { provider: "github", providerUserId: "gh-theirs" },
        { provider: "password", providerUserId: "theirs" },
      ],
    });
    const theirId = (await gw.gql(CustomerIdentitiesDocument, { id: theirs.id })).data!.customer!.identities.edges[0].node.id;
    for (const identityId of [theirId, removed.id, "garbage", globalId("Identity", "not-a-uuid"), mine.id]) {
      const res = await expectNoWrites(gw.db, () => gw.gql(UnlinkIdentityDocument, { customerId: mine.id, identityId }));
      expect(res.data!.unlinkIdentity).toMatchObject({ __typename: "NotFoundError", code: "IDENTITY_NOT_FOUND" });
    }
  });

  it("answers CUSTOMER_NOT_FOUND before looking at the identity when the customer is unknown", async () => {
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(UnlinkIdentityDocument, { customerId: globalId("Customer", "00000000-0000-4000-8000-000000000000"), identityId: "garbage" }),
    );
    expect(res.data!.unlinkIdentity).toMatchObject({ __typename: "NotFoundError", code: "CUSTOMER_NOT_FOUND" });
  });
});

describe("Customer.identities", () => {
  it("pages through a customer's identities oldest first with cursors", async () => {
    const c = await gw.createCustomer({ emails: [{ address: "pages@example.com" }] });
    for (const provider of ["password", "google", "github", "apple", "saml-acme"]) await link(c.id, provider, `${provider}-pages`);
    const all = (await gw.gql(CustomerIdentitiesDocument, { id: c.id })).data!.customer!.identities.edges.map((e) => e.node);
    expect(all.map((n) => n.provider)).toHaveLength(5);
    const linkedAt = all.map((n) => Date.parse(n.linkedAt));
    expect(linkedAt).toEqual([...linkedAt].sort((a, b) => a - b));
    expect(all.every((n) => n.customer.id === c.id)).toBe(true);

    const seen: string[] = [];
    let after: string | null | undefined;
    for (let page = 0; page < 3; page++) {
      const conn = (await gw.gql(CustomerIdentitiesDocument, { id: c.id, first: 2, after })).data!.customer!.identities;
      seen.push(...conn.edges.map((e) => e.node.id));
      expect(conn.pageInfo.hasNextPage).toBe(page < 2);
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.map((n) => n.id));
  });

  it("is part of the customer's query: listing identities adds no SQL statement", async () => {
    const c = await gw.createCustomer({
      identities: [
        { provider: "google", providerUserId: "g-n1" },
        { provider: "github", providerUserId: "gh-n1" },
      ],
    });
    await gw.gql(CustomerIdentitiesDocument, { id: c.id, first: 0 });
    gw.statements.reset();
    await gw.gql(CustomerIdentitiesDocument, { id: c.id, first: 0 });
    const withoutRows = gw.statements.count;
    gw.statements.reset();
    const res = await gw.gql(CustomerIdentitiesDocument, { id: c.id });
    expect(res.data!.customer!.identities.edges).toHaveLength(2);
    expect(gw.statements.count).toBe(withoutRows);
  });
});

describe("Identity node", () => {
  it("refetches an identity by its global id", async () => {
    const c = await gw.createCustomer({ identities: [{ provider: "google", providerUserId: "g-node" }] });
    const id = (await gw.gql(CustomerIdentitiesDocument, { id: c.id })).data!.customer!.identities.edges[0].node.id;
    const res = await gw.gql(IdentityNodeDocument, { id });
    expect(res.data!.node).toMatchObject({
      __typename: "Identity",
      id,
      provider: "google",
      providerUserId: "g-node",
      customer: { id: c.id },
    });
  });
});

describe("customer deletion", () => {
  it("deletes the customer's identities with it, freeing the provider account", async () => {
    const c = await withGoogleAndPassword("cascade");
    await gw.gql(DeleteCustomerDocument, { id: c.id });
    expect(await gw.db.identity.count({ where: { customerId: rowId(c.id) } })).toBe(0);
    const again = await gw.createCustomer({ emails: [{ address: "cascade@example.com" }] });
    expect(await link(again.id, "google", "g-cascade")).toHaveLength(1);
  });
});

describe("tenant isolation", () => {
  it("answers tenant B's credential with not found for tenant A's customer and identity ids, and writes nothing", async () => {
    const c = await withGoogleAndPassword("iso");
    const identityId = (await gw.gql(CustomerIdentitiesDocument, { id: c.id })).data!.customer!.identities.edges[0].node.id;
    const linked = await expectNoWrites(gw.db, () =>
      gw.gql(LinkIdentityDocument, { customerId: c.id, identity: { provider: "github", providerUserId: "gh-iso" } }, "B"),
    );
    expect(linked.data!.linkIdentity).toMatchObject({ code: "CUSTOMER_NOT_FOUND" });
    const unlinked = await expectNoWrites(gw.db, () => gw.gql(UnlinkIdentityDocument, { customerId: c.id, identityId }, "B"));
    expect(unlinked.data!.unlinkIdentity).toMatchObject({ code: "CUSTOMER_NOT_FOUND" });
    expect((await gw.gql(CustomerIdentitiesDocument, { id: c.id }, "B")).data!.customer).toBeNull();
    const node = await gw.gql(IdentityNodeDocument, { id: identityId }, "B");
    expect(node.errors).toBeUndefined();
    expect(node.data!.node).toBeNull();
    expect(await gw.db.identity.count({ where: { customerId: rowId(c.id) } })).toBe(2);
  });

  it("needs the CUSTOMERS_WRITE scope: anonymous requests get 401 and no data", async () => {
    const c = await gw.createCustomer({ emails: [{ address: "anon-link@example.com" }] });
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(LinkIdentityDocument, { customerId: c.id, identity: { provider: "google", providerUserId: "g-anon" } }, "anonymous"),
    );
    expect(res.status).toBe(401);
    expect(res.data?.linkIdentity ?? null).toBeNull();
  });
});

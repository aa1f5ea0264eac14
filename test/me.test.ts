import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  AdminCredentialsDocument,
  AuditEventsDocument,
  BlockCustomerDocument,
  CreateCustomerDocument,
  CreateCustomObjectDocument,
  CreateMyCustomObjectDocument,
  CurrentAdminDocument,
  CustomerByEmailDocument,
  CustomerDocument,
  CustomersDocument,
  CustomObjectsDocument,
  DeleteMyCustomObjectDocument,
  GrantConsentDocument,
  GrantMyConsentDocument,
  MeBlockedUntilDocument,
  MeBlockReasonDocument,
  MeCustomFieldsDocument,
  MeDocument,
  NodeDocument,
  RevokeMyConsentDocument,
  RevokeMySessionDocument,
  RevokeSessionDocument,
  SessionNodeDocument,
  SetPasswordDocument,
  UpdateCustomerDocument,
  UpdateMyCustomObjectDocument,
  UpdateMyProfileDocument,
} from "./generated/graphql.ts";
import { PASSWORD, type SignedIn } from "./helpers/gateway.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { globalId, rowId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";

const gw = useTestGateway();
beforeAll(async () => {
  await gw.gql(MeDocument, {}, "A");
});

let n = 0;
async function customer(input: Record<string, unknown> = {}) {
  const email = `me${++n}@example.com`;
  const { customer, tokens, as } = await gw.createSignedInCustomer({
    emails: [{ address: email }],
    customFields: { tier: "gold" },
    identities: [{ provider: "google", providerUserId: `g-${n}` }],
    ...input,
  });
  return { id: customer.id, email, tokens, as };
}

describe("me", () => {
  it("shows the signed-in customer's own profile, identities, sessions, consents and custom objects", async () => {
    const c = await customer({ firstName: "Ada", addresses: [{ type: "home", city: "London", country: "GB" }] });
    await gw.gql(GrantConsentDocument, { customerId: c.id, input: { purpose: "marketing.email", version: "v1", source: "signup" } });
    await gw.gql(CreateCustomObjectDocument, { customerId: c.id, name: "wishlist", data: { items: [1] } });
    const res = await gw.gql(MeDocument, {}, c.as);
    expect(res.errors).toBeUndefined();
    expect(res.data!.me).toMatchObject({
      id: c.id,
      firstName: "Ada",
      addresses: [{ type: "home", city: "London", country: "GB" }],
      primaryEmail: c.email,
      status: "ACTIVE",
      identities: { edges: [{ node: { provider: "google" } }] },
      sessions: { totalCount: 1, edges: [{ node: { id: c.tokens.sessionId, active: true } }] },
      consents: { totalCount: 1, edges: [{ node: { purpose: "marketing.email", version: "v1", active: true } }] },
      customObjects: { edges: [{ node: { name: "wishlist", data: { items: [1] } } }] },
    });
  });

  it("costs two statements: the session check and one query for the customer with everything asked for", async () => {
    const c = await customer();
    gw.statements.reset();
    await gw.gql(MeDocument, {}, c.as);
    expect(gw.statements.count).toBe(2);
    expect(gw.statements.sql[0]).toMatch(/FROM "?session"?/);
  });

  it("answers UNAUTHENTICATED without a token, and FORBIDDEN to an admin credential", async () => {
    expect((await gw.gql(MeDocument, {}, "anonymous")).errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    expect((await gw.gql(MeDocument, {}, "A")).errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });
});

describe("what a customer token cannot reach", () => {
  it("answers FORBIDDEN for admin-only Customer fields: blockReason and blockedUntil", async () => {
    const c = await customer();
    for (const doc of [MeBlockReasonDocument, MeBlockedUntilDocument]) {
      const res = await gw.gql(doc, {}, c.as);
      expect(res.errors?.[0].extensions?.code).toBe("FORBIDDEN");
      expect(JSON.stringify(res.data ?? null)).not.toContain("gold");
    }
  });

  it("shows none of the custom fields the tenant has not defined as readable by customers (test/custom-fields-audiences.test.ts: the rest)", async () => {
    const c = await customer();
    const res = await gw.gql(MeCustomFieldsDocument, {}, c.as);
    expect(res.data!.me.customFields).toEqual({});
  });

  it("answers FORBIDDEN for every admin query, whoever they would find", async () => {
    const c = await customer();
    const other = await customer();
    const queries = [
      gw.gql(CustomerDocument, { id: other.id }, c.as),
      gw.gql(CustomerDocument, { id: c.id }, c.as),
      gw.gql(CustomerByEmailDocument, { value: other.email }, c.as),
      gw.gql(CustomersDocument, {}, c.as),
      gw.gql(CustomObjectsDocument, { name: "wishlist" }, c.as),
      gw.gql(AuditEventsDocument, {}, c.as),
      gw.gql(CurrentAdminDocument, {}, c.as),
      gw.gql(AdminCredentialsDocument, {}, c.as),
    ];
    for (const res of await Promise.all(queries)) {
      expect(res.errors?.[0].extensions?.code).toBe("FORBIDDEN");
      expect(JSON.stringify(res.data ?? null)).not.toContain(other.email);
    }
  });

  it("answers FORBIDDEN for admin mutations and writes nothing", async () => {
    const c = await customer();
    const other = await customer();
    const attempts: (() => Promise<{ errors?: readonly { extensions?: Record<string, unknown> }[] }>)[] = [
      () => gw.gql(CreateCustomerDocument, { input: { emails: [{ address: "made-by-customer@example.com" }] } }, c.as),
      () => gw.gql(UpdateCustomerDocument, { id: c.id, input: { customFields: { tier: "platinum" } } }, c.as),
      () => gw.gql(BlockCustomerDocument, { id: other.id, reason: "spite" }, c.as),
      () => gw.gql(SetPasswordDocument, { customerId: other.id, password: "taken over now" }, c.as),
      () => gw.gql(RevokeSessionDocument, { id: other.tokens.sessionId }, c.as),
      () => gw.gql(GrantConsentDocument, { customerId: other.id, input: { purpose: "terms", version: "1", source: "x" } }, c.as),
      () => gw.gql(CreateCustomObjectDocument, { customerId: other.id, name: "x", data: {} }, c.as),
    ];
    for (const attempt of attempts) {
      const res = await expectNoWrites(gw.db, attempt);
      expect(res.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    }
  });

  it("resolves node() only for the customer's own rows: other customers and their sessions read as null", async () => {
    const c = await customer();
    const other = await customer();
    expect((await gw.gql(NodeDocument, { id: c.id }, c.as)).data!.node).toEqual({
      __typename: "Customer",
      id: c.id,
      uid: expect.any(String),
    });
    expect((await gw.gql(NodeDocument, { id: other.id }, c.as)).data!.node).toBeNull();
    expect((await gw.gql(SessionNodeDocument, { id: c.tokens.sessionId }, c.as)).data!.node).toMatchObject({ id: c.tokens.sessionId });
    expect((await gw.gql(SessionNodeDocument, { id: other.tokens.sessionId }, c.as)).data!.node).toBeNull();
  });
});

describe("self-service mutations", () => {
  it("updateMyProfile changes the allowed fields and records customer.updated with the customer as actor", async () => {
    const c = await customer({ firstName: "Old" });
    const res = await gw.gql(
      UpdateMyProfileDocument,
      {
        input: {
          firstName: "New",
          nickname: "Nu",
          birthdate: "1990-02-03",
          locale: "de-DE",
          timezone: "Europe/Berlin",
          addresses: [{ city: "Berlin", country: "de" }],
        },
      },
      c.as,
    );
    expect(res.data!.updateMyProfile).toMatchObject({
      __typename: "UpdateMyProfilePayload",
      customer: {
        id: c.id,
        firstName: "New",
        nickname: "Nu",
        birthdate: "1990-02-03",
        locale: "de-DE",
        addresses: [{ city: "Berlin", country: "DE" }],
        emails: [{ address: c.email }],
      },
    });
    const last = (await auditTrail(gw.db, gw.tenants.A.id)).at(-1)!;
    expect(last).toMatchObject({ type: "customer.updated", actorKind: "CUSTOMER", actorId: rowId(c.id), customerId: rowId(c.id) });
    expect(last.data).toMatchObject({ changes: { firstName: { from: "Old", to: "New" } } });

    const invalid = await expectNoWrites(gw.db, () => gw.gql(UpdateMyProfileDocument, { input: { timezone: "Mars/Olympus" } }, c.as));
    expect(invalid.data!.updateMyProfile).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "timezone" }] });
  });

  it("does not let updateMyProfile touch username or company, nor custom fields not defined as customer-editable", async () => {
    const c = await customer();
    const res = await gw.gql(UpdateMyProfileDocument, { input: { username: "hijack", company: "Evil" } as never }, c.as);
    expect(res.errors?.[0].message).toMatch(/not defined by type "UpdateMyProfileInput"/);
    const fields = await expectNoWrites(gw.db, () =>
      gw.gql(UpdateMyProfileDocument, { input: { customFields: { tier: "platinum" } } }, c.as),
    );
    expect(fields.data!.updateMyProfile).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "customFields.tier" }] });
    const row = await gw.db.customer.findUniqueOrThrow({ where: { id: rowId(c.id) } });
    expect([row.username, row.company, row.customFields]).toEqual([null, null, { tier: "gold" }]);
  });

  it("grants and revokes the customer's own consents", async () => {
    const c = await customer();
    const granted = await gw.gql(GrantMyConsentDocument, { input: { purpose: "newsletter", version: "2", source: "app" } }, c.as);
    expect(granted.data!.grantMyConsent).toMatchObject({ consent: { purpose: "newsletter", version: "2", active: true } });
    const revoked = await gw.gql(RevokeMyConsentDocument, { purpose: "newsletter" }, c.as);
    expect(revoked.data!.revokeMyConsent).toMatchObject({ consent: { purpose: "newsletter", active: false, revokeSource: "customer" } });
    const events = (await auditTrail(gw.db, gw.tenants.A.id)).slice(-2);
    expect(events.map((e) => [e.type, e.actorKind, e.customerId])).toEqual([
      ["consent.granted", "CUSTOMER", rowId(c.id)],
      ["consent.revoked", "CUSTOMER", rowId(c.id)],
    ]);
  });

  it("creates, updates and deletes the customer's own custom objects, and finds nobody else's", async () => {
    const c = await customer();
    const other = await customer();
    const created = await gw.gql(CreateMyCustomObjectDocument, { name: "wishlist", data: { items: ["a"] } }, c.as);
    if (created.data!.createMyCustomObject.__typename !== "CreateMyCustomObjectPayload") throw new Error(JSON.stringify(created));
    const id = created.data!.createMyCustomObject.customObject.id;
    const updated = await gw.gql(UpdateMyCustomObjectDocument, { id, data: { more: true }, merge: true }, c.as);
    expect(updated.data!.updateMyCustomObject).toMatchObject({ customObject: { id, data: { items: ["a"], more: true } } });

    const theirs = await gw.gql(CreateMyCustomObjectDocument, { name: "secret", data: { pin: 1234 } }, other.as);
    const theirId = (theirs.data!.createMyCustomObject as { customObject: { id: string } }).customObject.id;
    const attempts: (() => Promise<{ data?: unknown }>)[] = [
      () => gw.gql(UpdateMyCustomObjectDocument, { id: theirId, data: { pin: 0 } }, c.as),
      () => gw.gql(DeleteMyCustomObjectDocument, { id: theirId }, c.as),
    ];
    for (const attempt of attempts) {
      const res = await expectNoWrites(gw.db, attempt);
      expect(JSON.stringify(res.data)).toContain("CUSTOM_OBJECT_NOT_FOUND");
    }
    const deleted = await gw.gql(DeleteMyCustomObjectDocument, { id }, c.as);
    expect(deleted.data!.deleteMyCustomObject).toEqual({ __typename: "DeleteMyCustomObjectPayload", deletedCustomObjectId: id });
    expect((await auditTrail(gw.db, gw.tenants.A.id)).at(-1)).toMatchObject({ type: "custom_object.deleted", actorKind: "CUSTOMER" });
  });

  it("revokeMySession ends another of the customer's sessions at once, and finds nobody else's", async () => {
    const c = await customer();
    const phone: SignedIn = await gw.signIn(c.email, PASSWORD);
    const other = await customer();
    const res = await gw.gql(RevokeMySessionDocument, { id: phone.sessionId }, c.as);
    expect(res.data!.revokeMySession).toEqual({ __typename: "RevokeMySessionPayload", session: { id: phone.sessionId, active: false } });
    expect((await auditTrail(gw.db, gw.tenants.A.id)).at(-1)).toMatchObject({
      type: "session.revoked",
      actorKind: "CUSTOMER",
      actorId: rowId(c.id),
    });
    expect((await gw.gql(MeDocument, {}, { bearer: phone.accessToken })).status).toBe(401);
    expect((await gw.gql(MeDocument, {}, c.as)).status).toBe(200);
    for (const id of [other.tokens.sessionId, globalId("Session", randomUUID()), "garbage"]) {
      const denied = await expectNoWrites(gw.db, () => gw.gql(RevokeMySessionDocument, { id }, c.as));
      expect(denied.data!.revokeMySession).toMatchObject({ __typename: "NotFoundError", code: "SESSION_NOT_FOUND" });
    }
    expect((await gw.gql(MeDocument, {}, other.as)).status).toBe(200);
  });
});

import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { useTestGateway } from "./helpers/suite.ts";
import {
  ConsentNodeDocument,
  CustomerConsentsDocument,
  DeleteCustomerDocument,
  GrantConsentDocument,
  RevokeConsentDocument,
} from "./generated/graphql.ts";
import { globalId, rowId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";

const gw = useTestGateway();

let customers = 0;
async function customer() {
  return (await gw.createCustomer({ emails: [{ address: `consents-${++customers}@example.com` }] })).id;
}

async function grant(customerId: string, purpose: string, version: string, source = "signup-form") {
  const res = await gw.gql(GrantConsentDocument, { customerId, input: { purpose, version, source } });
  const payload = res.data!.grantConsent;
  if (payload.__typename !== "GrantConsentPayload") throw new Error(JSON.stringify(payload));
  await new Promise((resolve) => setTimeout(resolve, 2)); // distinct grantedAt keeps "newest first" deterministic
  return payload.consent;
}

async function consentsOf(id: string, purpose?: string) {
  const res = await gw.gql(CustomerConsentsDocument, { id, purpose });
  const c = res.data!.customer!;
  return {
    live: c.consents.edges.map((e) => e.node),
    history: c.consentHistory.edges.map((e) => e.node),
    liveCount: c.consents.totalCount,
    historyCount: c.consentHistory.totalCount,
  };
}

const lastEvent = async () => (await auditTrail(gw.db, gw.tenants.A.id)).at(-1)!;

describe("grantConsent", () => {
  it("records a grant as the live consent of its purpose and records consent.granted", async () => {
    const c = await customer();
    const consent = await grant(c, "marketing.email", "2024-01", "admin-console");
    expect(consent).toMatchObject({
      purpose: "marketing.email",
      version: "2024-01",
      source: "admin-console",
      revokedAt: null,
      revokeSource: null,
      active: true,
    });
    expect((await consentsOf(c)).live).toEqual([consent]);
    const event = await lastEvent();
    expect(event).toMatchObject({ type: "consent.granted", customerId: rowId(c), actorKind: "ADMIN" });
    expect(event.data).toEqual({ purpose: "marketing.email", version: "2024-01", previousVersion: null, source: "admin-console" });
  });

  it("changes nothing and records nothing when the same version is granted again", async () => {
    const c = await customer();
    const first = await grant(c, "terms", "v1");
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(GrantConsentDocument, { customerId: c, input: { purpose: "terms", version: "v1", source: "other-form" } }),
    );
    expect(res.data!.grantConsent).toEqual({ __typename: "GrantConsentPayload", consent: first });
  });

  it("supersedes the live grant when another version is granted, keeping the old one as history", async () => {
    const c = await customer();
    const v1 = await grant(c, "terms", "v1");
    const v2 = await grant(c, "terms", "v2", "terms-update-banner");
    expect(v2).toMatchObject({ version: "v2", source: "terms-update-banner", active: true });
    const event = await lastEvent();
    expect(event).toMatchObject({ type: "consent.granted", customerId: rowId(c) });
    expect(event.data).toEqual({ purpose: "terms", version: "v2", previousVersion: "v1", source: "terms-update-banner" });

    const { live, history, historyCount } = await consentsOf(c, "terms");
    expect(live).toEqual([v2]);
    expect(historyCount).toBe(2);
    expect(history.map((h) => h.id)).toEqual([v2.id, v1.id]);
    expect(history[1]).toMatchObject({ ...v1, active: false, revokeSource: "superseded", revokedAt: v2.grantedAt });
  });

  it("lists live consents by purpose and the whole history newest first, optionally of one purpose", async () => {
    const c = await customer();
    const terms1 = await grant(c, "terms", "1");
    const analytics = await grant(c, "analytics", "1");
    const terms2 = await grant(c, "terms", "2");
    const sms = await grant(c, "marketing.sms", "1");
    const all = await consentsOf(c);
    expect(all.live.map((l) => l.id)).toEqual([analytics.id, sms.id, terms2.id]);
    expect(all.liveCount).toBe(3);
    expect(all.history.map((h) => h.id)).toEqual([sms.id, terms2.id, analytics.id, terms1.id]);
    expect(all.historyCount).toBe(4);
    expect((await consentsOf(c, "analytics")).history.map((h) => h.id)).toEqual([analytics.id]);
    expect((await consentsOf(c, "unknown")).history).toEqual([]);
  });

  it("rejects a malformed purpose, version or source with VALIDATION_FAILED naming each field, and writes nothing", async () => {
    const c = await customer();
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(GrantConsentDocument, { customerId: c, input: { purpose: "Marketing Email", version: "", source: "x".repeat(65) } }),
    );
    const payload = res.data!.grantConsent;
    expect(payload).toMatchObject({ __typename: "ValidationError", code: "VALIDATION_FAILED" });
    if (payload.__typename !== "ValidationError") return;
    expect(payload.issues.map((i) => i.field).sort()).toEqual(["purpose", "source", "version"]);
    const tooLong = await expectNoWrites(gw.db, () =>
      gw.gql(GrantConsentDocument, { customerId: c, input: { purpose: "p", version: "v".repeat(33), source: "s" } }),
    );
    expect(tooLong.data!.grantConsent).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "version" }] });
  });

  it("answers CUSTOMER_NOT_FOUND for unknown, malformed, wrong-type and deleted customers, and writes nothing", async () => {
    const gone = await customer();
    await gw.gql(DeleteCustomerDocument, { id: gone });
    for (const customerId of [gone, globalId("Customer", randomUUID()), "garbage", globalId("Consent", randomUUID())]) {
      const res = await expectNoWrites(gw.db, () =>
        gw.gql(GrantConsentDocument, { customerId, input: { purpose: "terms", version: "1", source: "s" } }),
      );
      expect(res.data!.grantConsent).toMatchObject({ __typename: "NotFoundError", code: "CUSTOMER_NOT_FOUND" });
    }
  });
});

describe("revokeConsent", () => {
  it("ends the live grant, keeps every grant in the history and records consent.revoked", async () => {
    const c = await customer();
    await grant(c, "marketing.email", "1");
    const v2 = await grant(c, "marketing.email", "2");
    await grant(c, "terms", "1");
    const res = await gw.gql(RevokeConsentDocument, { customerId: c, purpose: "marketing.email", source: "preference-center" });
    expect(res.data!.revokeConsent).toMatchObject({
      __typename: "RevokeConsentPayload",
      consent: { id: v2.id, version: "2", active: false, revokeSource: "preference-center" },
    });
    const event = await lastEvent();
    expect(event).toMatchObject({ type: "consent.revoked", customerId: rowId(c) });
    expect(event.data).toEqual({ purpose: "marketing.email", version: "2", source: "preference-center" });

    const { live, history } = await consentsOf(c, "marketing.email");
    expect(live.map((l) => l.purpose)).toEqual(["terms"]);
    expect(history.map((h) => [h.version, h.active, h.revokeSource])).toEqual([
      ["2", false, "preference-center"],
      ["1", false, "superseded"],
    ]);

    const again = await grant(c, "marketing.email", "2");
    expect(again.id).not.toBe(v2.id);
    expect((await lastEvent()).data).toMatchObject({ version: "2", previousVersion: null });
    expect((await consentsOf(c, "marketing.email")).historyCount).toBe(3);
  });

  it("stamps admin-api as the revoke source when none is given", async () => {
    const c = await customer();
    await grant(c, "analytics", "1");
    const res = await gw.gql(RevokeConsentDocument, { customerId: c, purpose: "analytics" });
    expect(res.data!.revokeConsent).toMatchObject({ consent: { revokeSource: "admin-api", active: false } });
  });

  it("answers CONSENT_NOT_FOUND for a purpose never granted or already revoked, and writes nothing", async () => {
    const c = await customer();
    await grant(c, "terms", "1");
    await gw.gql(RevokeConsentDocument, { customerId: c, purpose: "terms" });
    for (const purpose of ["terms", "never.granted"]) {
      const res = await expectNoWrites(gw.db, () => gw.gql(RevokeConsentDocument, { customerId: c, purpose }));
      expect(res.data!.revokeConsent).toMatchObject({ __typename: "NotFoundError", code: "CONSENT_NOT_FOUND" });
    }
  });

  it("answers VALIDATION_FAILED for a malformed purpose or source and CUSTOMER_NOT_FOUND for an unknown customer, and writes nothing", async () => {
    const c = await customer();
    await grant(c, "terms", "1");
    const badPurpose = await expectNoWrites(gw.db, () => gw.gql(RevokeConsentDocument, { customerId: c, purpose: "TERMS!" }));
    expect(badPurpose.data!.revokeConsent).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "purpose" }] });
    const badSource = await expectNoWrites(gw.db, () => gw.gql(RevokeConsentDocument, { customerId: c, purpose: "terms", source: " " }));
    expect(badSource.data!.revokeConsent).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "source" }] });
    const unknown = await expectNoWrites(gw.db, () =>
      gw.gql(RevokeConsentDocument, { customerId: globalId("Customer", randomUUID()), purpose: "terms" }),
    );
    expect(unknown.data!.revokeConsent).toMatchObject({ __typename: "NotFoundError", code: "CUSTOMER_NOT_FOUND" });
  });
});

describe("consent storage", () => {
  it("lets the database refuse a second live grant of one purpose", async () => {
    const c = await customer();
    await grant(c, "terms", "1");
    const row = { tenantId: gw.tenants.A.id, customerId: rowId(c), purpose: "terms", version: "2", source: "sql" };
    await expect(gw.db.consent.create({ data: row })).rejects.toThrow();
    await gw.db.consent.create({ data: { ...row, revokedAt: new Date() } });
  });

  it("resolves a consent by its global ID through node()", async () => {
    const c = await customer();
    const consent = await grant(c, "terms", "1");
    expect((await gw.gql(ConsentNodeDocument, { id: consent.id })).data!.node).toEqual({
      __typename: "Consent",
      id: consent.id,
      purpose: "terms",
      active: true,
    });
  });
});

describe("tenancy and deletion", () => {
  it("answers tenant B's credential with not found for tenant A's customers and consents, and writes nothing", async () => {
    const c = await customer();
    const consent = await grant(c, "terms", "1");
    const granted = await expectNoWrites(gw.db, () =>
      gw.gql(GrantConsentDocument, { customerId: c, input: { purpose: "terms", version: "2", source: "s" } }, "B"),
    );
    expect(granted.data!.grantConsent).toMatchObject({ __typename: "NotFoundError", code: "CUSTOMER_NOT_FOUND" });
    const revoked = await expectNoWrites(gw.db, () => gw.gql(RevokeConsentDocument, { customerId: c, purpose: "terms" }, "B"));
    expect(revoked.data!.revokeConsent).toMatchObject({ __typename: "NotFoundError", code: "CUSTOMER_NOT_FOUND" });
    expect((await gw.gql(ConsentNodeDocument, { id: consent.id }, "B")).data!.node).toBeNull();
    expect((await gw.gql(CustomerConsentsDocument, { id: c }, "B")).data!.customer).toBeNull();
    expect((await consentsOf(c)).live).toEqual([consent]);
  });

  it("deletes a customer's consents with the customer while the consent events survive", async () => {
    const c = await customer();
    const consent = await grant(c, "terms", "1");
    await grant(c, "terms", "2");
    await gw.gql(DeleteCustomerDocument, { id: c });
    expect(await gw.db.consent.count({ where: { customerId: rowId(c) } })).toBe(0);
    expect((await gw.gql(ConsentNodeDocument, { id: consent.id })).data!.node).toBeNull();
    const types = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.customerId === rowId(c)).map((e) => e.type);
    expect(types).toEqual(["customer.created", "consent.granted", "consent.granted", "customer.deleted"]);
  });
});

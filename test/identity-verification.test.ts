import { describe, expect, it } from "vitest";
import {
  CreateVerificationPolicyDocument,
  CustomersPageOnlyDocument,
  CustomerVerificationsDocument,
  DeleteVerificationPolicyDocument,
  DisableCustomerDocument,
  MyLabelsDocument,
  MyVerificationsDocument,
  RevokeIdentityVerificationDocument,
  UpdateVerificationPolicyDocument,
  VerificationPoliciesDocument,
  VerifyCustomerIdentityDocument,
  type CustomerFilter,
} from "./generated/graphql.ts";
import { rowId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";
import { issue } from "./helpers/live-credentials.ts";
import { useTestGateway } from "./helpers/suite.ts";

const gw = useTestGateway();

let policies = 0;
async function policy(methods: ("DOCUMENT_CHECK" | "VIDEO_CALL" | "IN_PERSON")[] = ["DOCUMENT_CHECK", "VIDEO_CALL"], as: "A" | "B" = "A") {
  const res = await gw.gql(CreateVerificationPolicyDocument, { input: { name: `KYC ${++policies}`, methods } }, as);
  const payload = res.data!.createVerificationPolicy;
  if (payload.__typename !== "CreateVerificationPolicyPayload") throw new Error(JSON.stringify(payload));
  return payload.verificationPolicy;
}

async function verify(customerId: string, policyId: string, method: "DOCUMENT_CHECK" | "VIDEO_CALL" | "IN_PERSON" = "DOCUMENT_CHECK") {
  const res = await gw.gql(VerifyCustomerIdentityDocument, { customerId, input: { policyId, method, note: "passport checked" } });
  const payload = res.data!.verifyCustomerIdentity;
  if (payload.__typename !== "VerifyCustomerIdentityPayload") throw new Error(JSON.stringify(payload));
  await new Promise((resolve) => setTimeout(resolve, 2)); // distinct verifiedAt keeps "newest first" deterministic
  return payload.identityVerification;
}

let customers = 0;
const customer = async (input: Record<string, unknown> = {}) =>
  (await gw.createCustomer({ emails: [{ address: `verify-${++customers}@example.com` }], ...input })).id;

const lastEvent = async () => (await auditTrail(gw.db, gw.tenants.A.id)).at(-1)!;

describe("verification policies", () => {
  it("are created, changed and deleted by tenant admins, read by customer readers, and audited", async () => {
    const admin = await issue(gw, "tenant admin", ["TENANT_ADMIN"]);
    const created = await gw.gql(
      CreateVerificationPolicyDocument,
      { input: { name: "Bank KYC", description: "for loans", methods: ["IN_PERSON", "IN_PERSON", "VIDEO_CALL"] } },
      { headers: admin.headers },
    );
    const p = created.data!.createVerificationPolicy;
    if (p.__typename !== "CreateVerificationPolicyPayload") throw new Error(JSON.stringify(p));
    expect(p.verificationPolicy).toMatchObject({ name: "Bank KYC", description: "for loans", methods: ["IN_PERSON", "VIDEO_CALL"] });
    expect(await lastEvent()).toMatchObject({ type: "verification_policy.created", actorId: admin.id });

    const reader = await issue(gw, "reader", ["CUSTOMERS_READ"]);
    const listed = await gw.gql(VerificationPoliciesDocument, {}, { headers: reader.headers });
    expect(listed.data!.verificationPolicies.edges.map((e) => e.node.name)).toContain("Bank KYC");
    const denied = await gw.gql(
      CreateVerificationPolicyDocument,
      { input: { name: "x", methods: ["IN_PERSON"] } },
      { headers: reader.headers },
    );
    expect(denied.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const updated = await gw.gql(UpdateVerificationPolicyDocument, { id: p.verificationPolicy.id, input: { methods: ["DOCUMENT_CHECK"] } });
    expect(updated.data!.updateVerificationPolicy).toMatchObject({ verificationPolicy: { methods: ["DOCUMENT_CHECK"] } });
    expect((await lastEvent()).data).toMatchObject({ changes: { methods: { from: ["IN_PERSON", "VIDEO_CALL"], to: ["DOCUMENT_CHECK"] } } });

    const dup = await expectNoWrites(gw.db, () =>
      gw.gql(CreateVerificationPolicyDocument, { input: { name: "Bank KYC", methods: ["IN_PERSON"] } }),
    );
    expect(dup.data!.createVerificationPolicy).toMatchObject({ __typename: "ConflictError", code: "VERIFICATION_POLICY_NAME_TAKEN" });
    const empty = await expectNoWrites(gw.db, () => gw.gql(CreateVerificationPolicyDocument, { input: { name: "none", methods: [] } }));
    expect(empty.data!.createVerificationPolicy).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "input.methods" }] });

    const deleted = await gw.gql(DeleteVerificationPolicyDocument, { id: p.verificationPolicy.id });
    expect(deleted.data!.deleteVerificationPolicy).toMatchObject({ deletedVerificationPolicyId: p.verificationPolicy.id });
    expect(await lastEvent()).toMatchObject({ type: "verification_policy.deleted" });
  });

  it("cannot be deleted once a verification names it", async () => {
    const p = await policy();
    await verify(await customer(), p.id);
    const res = await expectNoWrites(gw.db, () => gw.gql(DeleteVerificationPolicyDocument, { id: p.id }));
    expect(res.data!.deleteVerificationPolicy).toMatchObject({ __typename: "RuleViolationError", code: "INVALID_STATE" });
  });
});

describe("manual identity verification", () => {
  it("records the admin, method, note and time; history is newest first and keeps revoked ones", async () => {
    const p = await policy();
    const c = await customer();
    const first = await verify(c, p.id, "DOCUMENT_CHECK");
    expect(first).toMatchObject({
      policy: { id: p.id },
      method: "DOCUMENT_CHECK",
      note: "passport checked",
      verifiedBy: { credentialId: gw.tenants.A.credentialId, name: "initial admin" },
      revokedAt: null,
      active: true,
    });
    const event = await lastEvent();
    expect(event).toMatchObject({ type: "customer.identity_verified", customerId: rowId(c), actorKind: "ADMIN" });
    expect(event.data).toMatchObject({ verificationId: rowId(first.id), method: "DOCUMENT_CHECK", note: "passport checked" });

    const revoked = await gw.gql(RevokeIdentityVerificationDocument, { id: first.id, reason: "forged document" });
    expect(revoked.data!.revokeIdentityVerification).toMatchObject({
      identityVerification: { active: false, revokeReason: "forged document", revokedBy: { credentialId: gw.tenants.A.credentialId } },
    });
    expect(await lastEvent()).toMatchObject({ type: "customer.identity_verification_revoked", data: { reason: "forged document" } });
    let read = (await gw.gql(CustomerVerificationsDocument, { id: c })).data!.customer!;
    expect(read.identityVerified).toBe(false);
    expect(read.labels).not.toContain("IDENTITY_VERIFIED");

    const second = await verify(c, p.id, "VIDEO_CALL");
    read = (await gw.gql(CustomerVerificationsDocument, { id: c })).data!.customer!;
    expect(read.identityVerified).toBe(true);
    expect(read.labels).toContain("IDENTITY_VERIFIED");
    expect(read.identityVerifications.totalCount).toBe(2);
    expect(read.identityVerifications.edges.map((e) => [e.node.id, e.node.active])).toEqual([
      [second.id, true],
      [first.id, false],
    ]);
  });

  it("refuses a method the policy does not accept, a second revocation and unknown ids, writing nothing", async () => {
    const p = await policy(["IN_PERSON"]);
    const c = await customer();
    const wrong = await expectNoWrites(gw.db, () =>
      gw.gql(VerifyCustomerIdentityDocument, { customerId: c, input: { policyId: p.id, method: "VIDEO_CALL", note: "call" } }),
    );
    expect(wrong.data!.verifyCustomerIdentity).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "input.method" }] });
    const noNote = await expectNoWrites(gw.db, () =>
      gw.gql(VerifyCustomerIdentityDocument, { customerId: c, input: { policyId: p.id, method: "IN_PERSON", note: "  " } }),
    );
    expect(noNote.data!.verifyCustomerIdentity).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "input.note" }] });
    const foreign = await policy(["IN_PERSON"], "B");
    const crossTenant = await expectNoWrites(gw.db, () =>
      gw.gql(VerifyCustomerIdentityDocument, { customerId: c, input: { policyId: foreign.id, method: "IN_PERSON", note: "x" } }),
    );
    expect(crossTenant.data!.verifyCustomerIdentity).toMatchObject({ code: "VERIFICATION_POLICY_NOT_FOUND" });

    const v = await verify(c, p.id, "IN_PERSON");
    await gw.gql(RevokeIdentityVerificationDocument, { id: v.id, reason: "risk" });
    const again = await expectNoWrites(gw.db, () => gw.gql(RevokeIdentityVerificationDocument, { id: v.id, reason: "risk" }));
    expect(again.data!.revokeIdentityVerification).toMatchObject({ code: "INVALID_STATE" });
    const fromB = await expectNoWrites(gw.db, () => gw.gql(RevokeIdentityVerificationDocument, { id: v.id, reason: "risk" }, "B"));
    expect(fromB.data!.revokeIdentityVerification).toMatchObject({ code: "IDENTITY_VERIFICATION_NOT_FOUND" });
  });

  it("needs CUSTOMERS_WRITE to verify; the customer sees identityVerified and labels but not the verifications", async () => {
    const p = await policy();
    const reader = await issue(gw, "reader", ["CUSTOMERS_READ"]);
    const signedIn = await gw.createSignedInCustomer({ emails: [{ address: "verified-me@example.com", verified: true }] });
    const denied = await gw.gql(
      VerifyCustomerIdentityDocument,
      { customerId: signedIn.customer.id, input: { policyId: p.id, method: "DOCUMENT_CHECK", note: "x" } },
      { headers: reader.headers },
    );
    expect(denied.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    await verify(signedIn.customer.id, p.id);
    const me = await gw.gql(MyLabelsDocument, {}, signedIn.as);
    expect(me.data!.me).toMatchObject({ identityVerified: true, labels: ["ENABLED", "EMAIL_VERIFIED", "IDENTITY_VERIFIED"] });
    const mine = await gw.gql(MyVerificationsDocument, {}, signedIn.as);
    expect(mine.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("account labels", () => {
  it("label status, primary email verification and external identities, and filter by the same rules", async () => {
    const p = await policy();
    const plain = await customer();
    const verifiedEmail = await customer({ emails: [{ address: `labels-v-${customers}@example.com`, verified: true }] });
    const social = await customer({ identities: [{ provider: "google", providerUserId: `g-${customers}` }] });
    const ownOnly = await customer({ identities: [{ provider: "email", providerUserId: `e-${customers}` }] });
    const disabled = await customer();
    await gw.gql(DisableCustomerDocument, { id: disabled });
    const noEmail = (await gw.createCustomer({ username: `nomail-${customers}` })).id;
    await verify(verifiedEmail, p.id);

    const labels = async (id: string) => (await gw.gql(CustomerVerificationsDocument, { id })).data!.customer!.labels;
    expect(await labels(plain)).toEqual(["ENABLED", "EMAIL_UNVERIFIED"]);
    expect(await labels(verifiedEmail)).toEqual(["ENABLED", "EMAIL_VERIFIED", "IDENTITY_VERIFIED"]);
    expect(await labels(social)).toEqual(["ENABLED", "EMAIL_UNVERIFIED", "EXTERNAL_IDENTITY"]);
    expect(await labels(ownOnly)).toEqual(["ENABLED", "EMAIL_UNVERIFIED"]);
    expect(await labels(disabled)).toEqual(["DISABLED", "EMAIL_UNVERIFIED"]);
    expect(await labels(noEmail)).toEqual(["ENABLED"]);

    const all = [plain, verifiedEmail, social, ownOnly, disabled, noEmail];
    const matching = async (filter: CustomerFilter) => {
      const res = await gw.gql(CustomersPageOnlyDocument, { filter, first: 100 });
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data!.customers.edges.map((e) => e.node.id).filter((id) => all.includes(id));
    };
    const sorted = (ids: string[]) => [...ids].sort();
    expect(await matching({ emailVerified: true })).toEqual([verifiedEmail]);
    expect(sorted(await matching({ emailVerified: false }))).toEqual(sorted([plain, social, ownOnly, disabled]));
    expect(await matching({ hasExternalIdentity: true })).toEqual([social]);
    expect(await matching({ hasExternalIdentity: false, identityVerified: true })).toEqual([verifiedEmail]);
    expect(sorted(await matching({ identityVerified: false, status: ["DISABLED"] }))).toEqual([disabled]);
    expect(sorted(await matching({ or: [{ hasExternalIdentity: true }, { identityVerified: true }] }))).toEqual(
      sorted([social, verifiedEmail]),
    );
  });
});

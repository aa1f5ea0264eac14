import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AdminCredentialsAfterDocument,
  AdminCredentialsDocument,
  AuditEventsDocument,
  CreateAdminCredentialDocument,
  CreateCustomerDocument,
  CurrentAdminDocument,
  RevokeAdminCredentialDocument,
} from "./generated/graphql.ts";
import { createTestGateway, type TestGateway } from "./helpers/gateway.ts";
import { expectNoWrites } from "./helpers/snapshot.ts";

let gw: TestGateway;
beforeAll(async () => {
  gw = await createTestGateway();
});
afterAll(() => gw?.close());

async function issue(name: string, scopes?: ("CUSTOMERS_READ" | "CUSTOMERS_WRITE" | "AUDIT_READ" | "TENANT_ADMIN")[]) {
  const res = await gw.gql(CreateAdminCredentialDocument, { name, scopes });
  const payload = res.data!.createAdminCredential;
  if (payload.__typename !== "CreateAdminCredentialPayload") throw new Error(JSON.stringify(payload));
  const { credential, secret } = payload.issued;
  return { ...credential, headers: { "x-api-key": credential.keyId, "x-api-secret": secret } };
}

describe("admin credentials", () => {
  it("tells a credential who it is and which tenant it acts for", async () => {
    const res = await gw.gql(CurrentAdminDocument, {});
    expect(res.data).toMatchObject({ currentAdmin: { name: "initial admin" }, currentTenant: { slug: "tenant-a" } });
    expect(res.data!.currentAdmin.scopes).toHaveLength(4);
  });

  it("issues a credential whose secret works once shown, is stored only hashed, and is audited", async () => {
    const cred = await issue("dashboard", ["AUDIT_READ"]);
    const row = await gw.db.adminCredential.findUniqueOrThrow({ where: { keyId: cred.keyId } });
    expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(cred.headers["x-api-secret"]);
    const res = await gw.gql(AuditEventsDocument, { first: 1 }, { headers: cred.headers });
    expect(res.data!.auditEvents.edges[0].node).toMatchObject({ type: "credential.created", data: { keyId: cred.keyId, scopes: ["AUDIT_READ"] } });
  });

  it("enforces scopes: a read-only audit credential cannot touch customers (403 FORBIDDEN)", async () => {
    const cred = await issue("auditor", ["AUDIT_READ"]);
    const res = await expectNoWrites(gw.db, () => gw.gql(CreateCustomerDocument, { input: { username: "sneaky" } }, { headers: cred.headers }));
    expect(res.status).toBe(403);
    expect(res.errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });

  it("revokes a credential so that its next request is refused with 401", async () => {
    const cred = await issue("temporary");
    const revoked = await gw.gql(RevokeAdminCredentialDocument, { id: cred.id });
    expect(revoked.data!.revokeAdminCredential).toMatchObject({ __typename: "RevokeAdminCredentialPayload" });
    const after = await gw.gql(CurrentAdminDocument, {}, { headers: cred.headers });
    expect(after.status).toBe(401);
    const listed = await gw.gql(AdminCredentialsDocument, {});
    expect(listed.data!.adminCredentials.edges.map((e) => e.node.name)).not.toContain("temporary");
    const all = await gw.gql(AdminCredentialsDocument, { includeRevoked: true });
    expect(all.data!.adminCredentials.edges.map((e) => e.node.name)).toContain("temporary");
  });

  it("validates names and scopes, and cannot revoke another tenant's credential", async () => {
    const empty = await expectNoWrites(gw.db, () => gw.gql(CreateAdminCredentialDocument, { name: "  " }));
    expect(empty.data!.createAdminCredential).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "name" }] });
    const bCreds = await gw.gql(AdminCredentialsDocument, {}, "B");
    const foreign = bCreds.data!.adminCredentials.edges[0].node.id;
    const res = await expectNoWrites(gw.db, () => gw.gql(RevokeAdminCredentialDocument, { id: foreign }));
    expect(res.data!.revokeAdminCredential).toMatchObject({ code: "CREDENTIAL_NOT_FOUND" });
  });
});

describe("adminCredentials paging", () => {
  it("rejects a forged cursor with VALIDATION_FAILED instead of failing", async () => {
    const forged = Buffer.from("GPC:S:not-a-uuid").toString("base64");
    const res = await gw.gql(AdminCredentialsAfterDocument, { after: forged });
    expect(res.errors?.[0].extensions).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "after" }] });
  });
});

import { ALL_SCOPES } from "../src/security/scopes.ts";
import { describe, expect, it } from "vitest";
import { useTestGateway } from "./helpers/suite.ts";
import {
  AdminCredentialsAfterDocument,
  AdminCredentialsDocument,
  AuditEventsDocument,
  CreateAdminCredentialDocument,
  CreateCustomerDocument,
  CurrentAdminDocument,
  RevokeAdminCredentialDocument,
} from "./generated/graphql.ts";
import { runCredentialCommand } from "../src/cli/credentials.ts";
import type { CliContext } from "../src/cli/context.ts";
import { expectNoWrites } from "./helpers/snapshot.ts";

const gw = useTestGateway();

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
    expect(res.data!.currentAdmin.scopes).toEqual(ALL_SCOPES);
  });

  it("issues a credential whose secret works once shown, is stored only hashed, and is audited", async () => {
    const cred = await issue("dashboard", ["AUDIT_READ"]);
    const row = await gw.db.adminCredential.findUniqueOrThrow({ where: { keyId: cred.keyId } });
    expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(cred.headers["x-api-secret"]);
    const res = await gw.gql(AuditEventsDocument, { first: 1 }, { headers: cred.headers });
    expect(res.data!.auditEvents.edges[0].node).toMatchObject({
      type: "credential.created",
      data: { keyId: cred.keyId, scopes: ["AUDIT_READ"] },
    });
  });

  it("enforces scopes: a read-only audit credential cannot touch customers (403 FORBIDDEN)", async () => {
    const cred = await issue("auditor", ["AUDIT_READ"]);
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(CreateCustomerDocument, { input: { username: "sneaky" } }, { headers: cred.headers }),
    );
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
    await gw.app.security.settled();
    const security = await gw.db.auditEvent.findFirst({
      where: { tenantId: gw.tenants.A.id, type: "security.credential_revoked" },
      orderBy: { seq: "desc" },
    });
    expect(security).toMatchObject({ actorKind: "ADMIN", data: { keyId: cred.keyId, name: "temporary" } });
    expect(JSON.stringify(security?.data)).not.toContain(cred.headers["x-api-secret"]);
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

describe("least privilege when issuing credentials", () => {
  it("lets a credential hand out only scopes it holds itself, and writes nothing otherwise", async () => {
    const admin = await issue("credential manager", ["TENANT_ADMIN"]);
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(CreateAdminCredentialDocument, { name: "escalated", scopes: ["CUSTOMERS_READ", "TENANT_ADMIN"] }, { headers: admin.headers }),
    );
    expect(res.data!.createAdminCredential).toMatchObject({
      code: "VALIDATION_FAILED",
      issues: [{ field: "scopes", message: expect.stringContaining("CUSTOMERS_READ") }],
    });
    const same = await gw.gql(CreateAdminCredentialDocument, { name: "peer", scopes: ["TENANT_ADMIN"] }, { headers: admin.headers });
    expect(same.data!.createAdminCredential).toMatchObject({ issued: { credential: { scopes: ["TENANT_ADMIN"] } } });
  });

  it("gives a credential issued without scopes only the read-only scopes the issuer holds", async () => {
    const res = await gw.gql(CreateAdminCredentialDocument, { name: "reader" });
    expect(res.data!.createAdminCredential).toMatchObject({ issued: { credential: { scopes: ["CUSTOMERS_READ", "AUDIT_READ"] } } });
    const writer = await issue("writer", ["CUSTOMERS_WRITE", "TENANT_ADMIN"]);
    const derived = await gw.gql(CreateAdminCredentialDocument, { name: "writer's reader" }, { headers: writer.headers });
    expect(derived.data!.createAdminCredential).toMatchObject({ issued: { credential: { scopes: ["CUSTOMERS_READ"] } } });
  });

  it("makes `credential create` on the command line name its scopes instead of granting everything", async () => {
    const printed: string[] = [];
    const cli = (options: Record<string, string | undefined>): CliContext => ({
      database: { ...gw.app.database, close: async () => undefined },
      events: gw.app.events,
      args: [],
      options: { tenant: "tenant-a", name: "from the cli", ...options },
      print: (line) => printed.push(line),
    });
    expect(await expectNoWrites(gw.db, () => runCredentialCommand("create", cli({})))).toBe(2);
    expect(printed.join("\n")).toContain("--scopes is required");
    expect(await runCredentialCommand("create", cli({ scopes: "audit_read" }))).toBe(0);
    expect(printed.join("\n")).toContain("with scopes AUDIT_READ");
  });
});

describe("adminCredentials paging", () => {
  it("rejects a forged cursor with VALIDATION_FAILED instead of failing", async () => {
    const forged = Buffer.from("GPC:S:not-a-uuid").toString("base64");
    const res = await gw.gql(AdminCredentialsAfterDocument, { after: forged });
    expect(res.errors?.[0].extensions).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "after" }] });
  });
});

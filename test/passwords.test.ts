import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { hashPassword, OWASP_PARAMS, verifyPassword } from "../src/passwords/hashing.ts";
import {
  ChangePasswordDocument,
  IssuePasswordResetTokenDocument,
  MeDocument,
  ResetPasswordDocument,
  SetPasswordDocument,
} from "./generated/graphql.ts";
import { PASSWORD } from "./helpers/gateway.ts";
import { customerMaker } from "./helpers/customers.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { rowId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";

const gw = useTestGateway();

const customer = customerMaker(gw, "pw");

const hashOf = async (id: string) => (await gw.db.customer.findUniqueOrThrow({ where: { id: rowId(id) } })).passwordHash!;

describe("password hashing", () => {
  it("defaults to argon2id at OWASP's parameters (19 MiB, t=2, p=1), and hashes carry their parameters", async () => {
    expect(loadConfig({}).auth.argon2).toEqual({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    const hash = await hashPassword(PASSWORD, OWASP_PARAMS);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword(hash, PASSWORD)).toBe(true);
    expect(await verifyPassword(hash, "Correct horse battery staple")).toBe(false);
    expect(await verifyPassword("not a hash", PASSWORD)).toBe(false);
  });

  it("upgrades a hash to changed parameters at the next successful sign-in, without a reset", async () => {
    const c = await customer();
    expect(await hashOf(c.id)).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    const saved = gw.app.auth.config.argon2;
    gw.app.auth.config.argon2 = { memoryCost: 2048, timeCost: 2, parallelism: 1 };
    try {
      await gw.signIn(c.email, PASSWORD);
      expect(await hashOf(c.id)).toMatch(/^\$argon2id\$v=19\$m=2048,t=2,p=1\$/);
      const [event] = (await auditTrail(gw.db, gw.tenants.A.id)).slice(-1);
      expect(event).toMatchObject({ type: "customer.signed_in", data: { passwordRehashed: true } });
      const upgraded = await hashOf(c.id);
      await gw.signIn(c.email, PASSWORD);
      expect(await hashOf(c.id)).toBe(upgraded);
      expect((await auditTrail(gw.db, gw.tenants.A.id)).at(-1)!.data).toMatchObject({ passwordRehashed: false });
    } finally {
      gw.app.auth.config.argon2 = saved;
    }
  });
});

describe("setPassword (admin)", () => {
  it("stores only an argon2id hash, records customer.password_set without secrets, and signs the customer out everywhere", async () => {
    const c = await customer();
    const before = await gw.signIn(c.email, PASSWORD);
    const res = await gw.gql(SetPasswordDocument, { customerId: c.id, password: "a brand new passphrase" });
    expect(res.data!.setPassword).toEqual({ __typename: "SetPasswordPayload", customer: { id: c.id } });
    expect(await hashOf(c.id)).toMatch(/^\$argon2id\$/);
    const events = (await auditTrail(gw.db, gw.tenants.A.id)).slice(-2);
    expect(events.map((e) => e.type)).toEqual(["session.revoked_all", "customer.password_set"]);
    expect(events[0].data).toMatchObject({ reason: "password_set", sessionIds: [rowId(before.sessionId)] });
    expect(events[1]).toMatchObject({ actorKind: "ADMIN", data: { hadPassword: true, revokedSessions: 1 } });
    expect(JSON.stringify(events.map((e) => e.data))).not.toMatch(/brand new|argon2/);
    expect((await gw.gql(MeDocument, {}, { bearer: before.accessToken })).status).toBe(401);
    await gw.signIn(c.email, "a brand new passphrase");
  });

  it("applies NIST 800-63B: at least 8 and at most 128 characters, no composition rules, no well-known passwords — VALIDATION_FAILED on password, nothing written", async () => {
    const c = await customer(null);
    for (const [password, message] of [
      ["short12", "at least 8 characters"],
      ["x".repeat(129), "at most 128 characters"],
      ["Password1", "too common"],
      // From the 49k-entry breach list, not from the 24 names it replaced.
      ["Starwars", "too common"],
      ["1qaz2wsx", "too common"],
      ["ｗｈａｔｅｖｅｒ", "too common"], // full-width letters fold to "whatever" (NFKC)
    ] as const) {
      const res = await expectNoWrites(gw.db, () => gw.gql(SetPasswordDocument, { customerId: c.id, password }));
      expect(res.data!.setPassword).toMatchObject({
        __typename: "ValidationError",
        code: "VALIDATION_FAILED",
        issues: [{ field: "password" }],
      });
      expect((res.data!.setPassword as { issues: { message: string }[] }).issues[0].message).toContain(message);
    }
    // Lower-case letters only, 128 characters, and emoji counted as one character each: all fine.
    for (const password of ["alllowercase", "y".repeat(128), "🔑🔑🔑🔑🔑🔑🔑🔑"]) {
      expect((await gw.gql(SetPasswordDocument, { customerId: c.id, password })).data!.setPassword.__typename).toBe("SetPasswordPayload");
    }
  });

  it("is refused to customer tokens and answers CUSTOMER_NOT_FOUND across tenants", async () => {
    const c = await customer();
    const { accessToken } = await gw.signIn(c.email, PASSWORD);
    const asCustomer = await gw.gql(SetPasswordDocument, { customerId: c.id, password: "hijacked password" }, { bearer: accessToken });
    expect(asCustomer.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    const asB = await gw.gql(SetPasswordDocument, { customerId: c.id, password: "hijacked password" }, "B");
    expect(asB.data!.setPassword).toMatchObject({ code: "CUSTOMER_NOT_FOUND" });
    await gw.signIn(c.email, PASSWORD);
  });
});

describe("changePassword (customer)", () => {
  it("changes the password, keeps this session, signs every other session out and invalidates pending reset tokens", async () => {
    const c = await customer();
    const here = await gw.signIn(c.email, PASSWORD);
    const elsewhere = await gw.signIn(c.email, PASSWORD);
    const issued = (await gw.gql(IssuePasswordResetTokenDocument, { customerId: c.id })).data!.issuePasswordResetToken;
    if (issued.__typename !== "IssuePasswordResetTokenPayload") throw new Error(JSON.stringify(issued));

    const res = await gw.gql(
      ChangePasswordDocument,
      { currentPassword: PASSWORD, newPassword: "my new long passphrase" },
      { bearer: here.accessToken },
    );
    expect(res.data!.changePassword).toEqual({ __typename: "ChangePasswordPayload", customer: { id: c.id } });
    const events = (await auditTrail(gw.db, gw.tenants.A.id)).slice(-2);
    expect(events.map((e) => e.type)).toEqual(["session.revoked_all", "customer.password_changed"]);
    expect(events[1]).toMatchObject({
      actorKind: "CUSTOMER",
      actorId: rowId(c.id),
      data: { sessionId: rowId(here.sessionId), revokedSessions: 1, invalidatedTokens: 1 },
    });

    expect((await gw.gql(MeDocument, {}, { bearer: here.accessToken })).status).toBe(200);
    expect((await gw.gql(MeDocument, {}, { bearer: elsewhere.accessToken })).status).toBe(401);
    const reset = await gw.gql(
      ResetPasswordDocument,
      { token: issued.issued.token!, newPassword: "attacker passphrase" },
      { tenant: gw.tenants.A.slug },
    );
    expect(reset.data!.resetPassword).toMatchObject({ code: "INVALID_TOKEN" });
    await gw.signIn(c.email, "my new long passphrase");
  });

  it("answers a wrong current password with INVALID_CREDENTIALS and records customer.password_change_failed, leaving the password as it was", async () => {
    const c = await customer();
    const { accessToken } = await gw.signIn(c.email, PASSWORD);
    const hash = await hashOf(c.id);
    const res = await gw.gql(
      ChangePasswordDocument,
      { currentPassword: "guessing wrong", newPassword: "another passphrase" },
      { bearer: accessToken },
    );
    expect(res.data!.changePassword).toMatchObject({ __typename: "AuthenticationError", code: "INVALID_CREDENTIALS" });
    expect((await auditTrail(gw.db, gw.tenants.A.id)).at(-1)).toMatchObject({
      type: "customer.password_change_failed",
      customerId: rowId(c.id),
    });
    expect(await hashOf(c.id)).toBe(hash);
  });

  it("rejects a new password that breaks the policy with VALIDATION_FAILED on newPassword, and needs a customer token", async () => {
    const c = await customer();
    const { accessToken } = await gw.signIn(c.email, PASSWORD);
    const res = await expectNoWrites(gw.db, () =>
      gw.gql(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: "short" }, { bearer: accessToken }),
    );
    expect(res.data!.changePassword).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "newPassword" }] });
    const anonymous = await gw.gql(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: "long enough now" }, "anonymous");
    expect(anonymous.errors?.[0].extensions?.code).toBe("UNAUTHENTICATED");
    const admin = await gw.gql(ChangePasswordDocument, { currentPassword: PASSWORD, newPassword: "long enough now" }, "A");
    expect(admin.errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });
});

import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { rotateSigningKey, unsealPrivateKey } from "../src/signing-keys/keys.ts";
import { resolveMasterKey } from "../src/signing-keys/master-key.ts";
import {
  ForgotPasswordDocument,
  IssueEmailVerificationTokenDocument,
  IssuePasswordResetTokenDocument,
  MeDocument,
  MeEmailsDocument,
  RefreshSessionDocument,
  ResetPasswordDocument,
  SetPasswordDocument,
  SignInDocument,
  VerifyEmailDocument,
} from "./generated/graphql.ts";
import { PASSWORD, type TestGateway } from "./helpers/gateway.ts";
import { customerMaker } from "./helpers/customers.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { rowId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";

const gw = useTestGateway();

const customer = customerMaker(gw, "tok", (email) => ({ emails: [{ address: email }, { address: `alt-${email}` }] }));

const publicA = () => ({ tenant: gw.tenants.A.slug });
const refresh = (refreshToken: string, as: Parameters<TestGateway["gql"]>[2] = publicA()) =>
  gw.gql(RefreshSessionDocument, { refreshToken }, as);
const last = async () => (await auditTrail(gw.db, gw.tenants.A.id)).at(-1)!;

describe("refreshSession", () => {
  it("rotates the refresh token, issues a new access token for the same session and records session.refreshed", async () => {
    const c = await customer();
    const first = await gw.signIn(c.email, PASSWORD);
    const res = await refresh(first.refreshToken);
    const next = res.data!.refreshSession;
    if (next.__typename !== "RefreshSessionPayload") throw new Error(JSON.stringify(res));
    expect(next.sessionId).toBe(first.sessionId);
    expect(next.refreshToken).not.toBe(first.refreshToken);
    expect((await gw.gql(MeDocument, {}, { bearer: next.accessToken })).data!.me.id).toBe(c.id);
    expect(await last()).toMatchObject({
      type: "session.refreshed",
      actorKind: "CUSTOMER",
      customerId: rowId(c.id),
      data: { sessionId: rowId(first.sessionId) },
    });
    // Only hashes are stored.
    const rows = await gw.db.refreshToken.findMany({ where: { sessionId: rowId(first.sessionId) }, orderBy: { createdAt: "asc" } });
    expect(rows.map((r) => r.tokenHash)).toEqual(
      [first.refreshToken, next.refreshToken].map((t) => createHash("sha256").update(t).digest("hex")),
    );
    expect(rows[0].rotatedAt).not.toBeNull();
  });

  it("treats reuse of a rotated refresh token as theft: revokes the whole session and records session.refresh_reuse_detected", async () => {
    const c = await customer();
    const first = await gw.signIn(c.email, PASSWORD);
    const second = (await refresh(first.refreshToken)).data!.refreshSession as { refreshToken: string; accessToken: string };
    const reused = await refresh(first.refreshToken);
    expect(reused.data!.refreshSession).toMatchObject({ __typename: "AuthenticationError", code: "INVALID_TOKEN" });
    expect(await last()).toMatchObject({
      type: "session.refresh_reuse_detected",
      customerId: rowId(c.id),
      data: { sessionId: rowId(first.sessionId) },
    });
    const session = await gw.db.session.findUniqueOrThrow({ where: { id: rowId(first.sessionId) } });
    expect(session.revokedAt).not.toBeNull();
    // The legitimate-looking newer tokens die with the session.
    expect((await refresh(second.refreshToken)).data!.refreshSession).toMatchObject({ code: "INVALID_TOKEN" });
    expect((await gw.gql(MeDocument, {}, { bearer: second.accessToken })).status).toBe(401);
  });

  it("answers INVALID_TOKEN and writes nothing for garbage, unknown tokens, another tenant's header, or a signed-out session", async () => {
    const c = await customer();
    const tokens = await gw.signIn(c.email, PASSWORD);
    for (const [token, as] of [
      ["garbage", publicA()],
      [randomBytes(32).toString("base64url"), publicA()],
      [tokens.refreshToken, { tenant: gw.tenants.B.slug }],
    ] as const) {
      const res = await expectNoWrites(gw.db, () => refresh(token, as));
      expect(res.data!.refreshSession).toMatchObject({ __typename: "AuthenticationError", code: "INVALID_TOKEN" });
    }
    await gw.db.session.update({ where: { id: rowId(tokens.sessionId) }, data: { revokedAt: new Date() } });
    const res = await expectNoWrites(gw.db, () => refresh(tokens.refreshToken));
    expect(res.data!.refreshSession).toMatchObject({ code: "INVALID_TOKEN" });
  });
});

describe("signing keys and JWKS", () => {
  it("serves the public keys at /.well-known/jwks.json, and they verify the access tokens", async () => {
    const c = await customer();
    const { accessToken } = await gw.signIn(c.email, PASSWORD);
    const url = new URL("/.well-known/jwks.json", await gw.listen());
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/jwk-set+json");
    const jwks = (await response.json()) as { keys: { kid: string; kty: string; crv: string; d?: string }[] };
    expect(jwks.keys.map((k) => k.kid)).toContain(decodeProtectedHeader(accessToken).kid);
    expect(jwks.keys.every((k) => k.kty === "OKP" && k.crv === "Ed25519" && k.d === undefined)).toBe(true);
    const { payload } = await jwtVerify(accessToken, createLocalJWKSet(jwks as never), { issuer: "identity-gateway" });
    expect(payload).toMatchObject({ sub: rowId(c.id), tenant: gw.tenants.A.id, scope: "customer" });
  });

  it("stores private keys encrypted with AES-256-GCM under the master key, bound to their kid", async () => {
    const [key] = await gw.db.signingKey.findMany({ orderBy: { createdAt: "desc" }, take: 1 });
    expect(key.privateKeyEncrypted).not.toContain("MC4CAQ"); // base64 of a PKCS#8 Ed25519 header
    const master = gw.app.auth.keys.masterKey!;
    expect(unsealPrivateKey(master, key).asymmetricKeyType).toBe("ed25519");
    expect(() => unsealPrivateKey(randomBytes(32), key)).toThrow();
    expect(() => unsealPrivateKey(master, { ...key, kid: "another-kid" })).toThrow();
  });

  it("rotation signs new tokens with the new key and keeps old tokens valid until the old key's tokens have expired", async () => {
    const c = await customer();
    const old = await gw.signIn(c.email, PASSWORD);
    const oldKid = decodeProtectedHeader(old.accessToken).kid!;
    const { created, retired } = await rotateSigningKey(gw.db, gw.app.auth.keys.masterKey!, 0); // 0: switch now (keys rotate --now)
    expect(retired).toEqual([oldKid]);
    await gw.app.auth.keys.reload();
    const fresh = await gw.signIn(c.email, PASSWORD);
    expect(decodeProtectedHeader(fresh.accessToken).kid).toBe(created.kid);
    expect((await gw.gql(MeDocument, {}, { bearer: old.accessToken })).status).toBe(200);
    const listed = (await (await gw.app.yoga.fetch("http://gateway.test/.well-known/jwks.json")).json()) as { keys: { kid: string }[] };
    expect(listed.keys.map((k) => k.kid)).toEqual([created.kid, oldKid]);

    // Once the old key was retired longer ago than a token lives, it is gone from the JWKS and its tokens stop.
    await gw.db.signingKey.update({ where: { kid: oldKid }, data: { retiredAt: new Date(Date.now() - 20 * 60 * 1000) } });
    await gw.app.auth.keys.reload();
    expect((await gw.gql(MeDocument, {}, { bearer: old.accessToken })).status).toBe(401);
    const after = (await (await gw.app.yoga.fetch("http://gateway.test/.well-known/jwks.json")).json()) as { keys: { kid: string }[] };
    expect(after.keys.map((k) => k.kid)).toEqual([created.kid]);
  });

  it("generates DATA_DIR/master.key with mode 0600 on PGlite when MASTER_KEY is unset, and reuses it afterwards", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "gateway-master-"));
    const config = loadConfig({ DATA_DIR: dataDir });
    const first = resolveMasterKey(config);
    expect(first).toMatchObject({ source: "generated", path: join(dataDir, "master.key") });
    expect(statSync(join(dataDir, "master.key")).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(join(dataDir, "master.key"), "utf8").trim(), "base64")).toEqual(first.key);
    expect(resolveMasterKey(config)).toMatchObject({ source: "file", key: first.key });
  });

  it("switches customer sign-in off (SIGN_IN_UNAVAILABLE) when MASTER_KEY is unset with DATABASE_URL, while admin requests keep working", async () => {
    const config = loadConfig({ DATABASE_URL: "postgresql://unused@127.0.0.1:1/unused", LOG_LEVEL: "silent", BOOTSTRAP: "false" });
    expect(resolveMasterKey(config)).toMatchObject({ key: null });
    const app = await createApp({ config, database: gw.app.database });
    try {
      const c = await customer();
      const post = (query: string, headers: Record<string, string>) =>
        app.yoga.fetch("http://gateway.test/graphql", {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify({ query }),
        });
      const signIn = await (
        await post(`mutation { signIn(identifier: "${c.email}", password: "${PASSWORD}") { __typename } }`, { "x-tenant": "tenant-a" })
      ).json();
      expect(signIn.errors[0].extensions.code).toBe("SIGN_IN_UNAVAILABLE");
      const admin = await (await post("{ currentTenant { slug } }", gw.tenants.A.headers)).json();
      expect(admin.data.currentTenant.slug).toBe("tenant-a");
    } finally {
      await app.stop();
    }
  });
});

describe("email verification tokens", () => {
  it("are issued by admins for the primary (or a given) email, verify it once, and are stored only as SHA-256", async () => {
    const c = await customer();
    const res = await gw.gql(IssueEmailVerificationTokenDocument, { customerId: c.id });
    const issued = res.data!.issueEmailVerificationToken;
    if (issued.__typename !== "IssueEmailVerificationTokenPayload") throw new Error(JSON.stringify(res));
    const { expiresAt } = issued.issued;
    const token = issued.issued.token!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(24 * 3600 * 1000 - 60_000);
    const row = await gw.db.oneTimeToken.findFirstOrThrow({ where: { customerId: rowId(c.id) } });
    expect(row.tokenHash).toBe(createHash("sha256").update(token).digest("hex"));
    expect(await last()).toMatchObject({ type: "token.issued", data: { tokenId: row.id, purpose: "EMAIL_VERIFICATION", email: c.email } });
    expect(JSON.stringify((await auditTrail(gw.db, gw.tenants.A.id)).map((e) => e.data))).not.toContain(token);

    const verified = await gw.gql(VerifyEmailDocument, { token }, publicA());
    expect(verified.data!.verifyEmail).toEqual({ __typename: "VerifyEmailPayload", email: c.email });
    const events = (await auditTrail(gw.db, gw.tenants.A.id)).slice(-2);
    expect(events.map((e) => [e.type, e.actorKind, e.actorId])).toEqual([
      ["token.used", "CUSTOMER", rowId(c.id)],
      ["customer.email_verified", "CUSTOMER", rowId(c.id)],
    ]);
    const { accessToken } = await gw.signIn(c.email, PASSWORD);
    const emails = (await gw.gql(MeEmailsDocument, {}, { bearer: accessToken })).data!.me.emails;
    expect(emails.map((e) => [e.address, e.verified])).toEqual([
      [c.email, true],
      [`alt-${c.email}`, false],
    ]);

    const again = await expectNoWrites(gw.db, () => gw.gql(VerifyEmailDocument, { token }, publicA()));
    expect(again.data!.verifyEmail).toMatchObject({ __typename: "AuthenticationError", code: "INVALID_TOKEN" });

    const alt = await gw.gql(IssueEmailVerificationTokenDocument, { customerId: c.id, email: `ALT-${c.email}` });
    expect(alt.data!.issueEmailVerificationToken.__typename).toBe("IssueEmailVerificationTokenPayload");
    const missing = await gw.gql(IssueEmailVerificationTokenDocument, { customerId: c.id, email: "someone-else@example.com" });
    expect(missing.data!.issueEmailVerificationToken).toMatchObject({ code: "EMAIL_NOT_FOUND" });
  });

  it("are refused once expired, and by another tenant's X-Tenant", async () => {
    const c = await customer();
    const token = (
      (await gw.gql(IssueEmailVerificationTokenDocument, { customerId: c.id })).data!.issueEmailVerificationToken as {
        issued: { token: string };
      }
    ).issued.token;
    const otherTenant = await expectNoWrites(gw.db, () => gw.gql(VerifyEmailDocument, { token }, { tenant: gw.tenants.B.slug }));
    expect(otherTenant.data!.verifyEmail).toMatchObject({ code: "INVALID_TOKEN" });
    await gw.db.oneTimeToken.updateMany({ where: { customerId: rowId(c.id) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await expectNoWrites(gw.db, () => gw.gql(VerifyEmailDocument, { token }, publicA()));
    expect(expired.data!.verifyEmail).toMatchObject({ code: "INVALID_TOKEN" });
  });
});

describe("password reset tokens", () => {
  it("set a new password once, sign the customer out everywhere, and expire after an hour", async () => {
    const c = await customer();
    const session = await gw.signIn(c.email, PASSWORD);
    const issued = (await gw.gql(IssuePasswordResetTokenDocument, { customerId: c.id })).data!.issuePasswordResetToken;
    if (issued.__typename !== "IssuePasswordResetTokenPayload") throw new Error(JSON.stringify(issued));
    expect(Date.parse(issued.issued.expiresAt) - Date.now()).toBeLessThanOrEqual(3600 * 1000);
    expect(Date.parse(issued.issued.expiresAt) - Date.now()).toBeGreaterThan(3600 * 1000 - 60_000);

    const weak = await expectNoWrites(gw.db, () =>
      gw.gql(ResetPasswordDocument, { token: issued.issued.token!, newPassword: "short" }, publicA()),
    );
    expect(weak.data!.resetPassword).toMatchObject({ code: "VALIDATION_FAILED", issues: [{ field: "newPassword" }] });

    const res = await gw.gql(ResetPasswordDocument, { token: issued.issued.token!, newPassword: "reset to this one" }, publicA());
    expect(res.data!.resetPassword).toEqual({ __typename: "ResetPasswordPayload", passwordReset: true });
    const events = (await auditTrail(gw.db, gw.tenants.A.id)).slice(-3);
    expect(events.map((e) => e.type)).toEqual(["session.revoked_all", "token.used", "customer.password_reset"]);
    expect(events[2]).toMatchObject({ actorKind: "CUSTOMER", actorId: rowId(c.id), data: { revokedSessions: 1 } });
    expect((await gw.gql(MeDocument, {}, { bearer: session.accessToken })).status).toBe(401);
    const oldPassword = await gw.gql(SignInDocument, { identifier: c.email, password: PASSWORD }, publicA());
    expect(oldPassword.data!.signIn).toMatchObject({ code: "INVALID_CREDENTIALS" });
    await gw.signIn(c.email, "reset to this one");

    const reused = await expectNoWrites(gw.db, () =>
      gw.gql(ResetPasswordDocument, { token: issued.issued.token!, newPassword: "a third passphrase" }, publicA()),
    );
    expect(reused.data!.resetPassword).toMatchObject({ code: "INVALID_TOKEN" });
  });

  it("are invalidated by an admin setting the password", async () => {
    const c = await customer();
    const token = (
      (await gw.gql(IssuePasswordResetTokenDocument, { customerId: c.id })).data!.issuePasswordResetToken as { issued: { token: string } }
    ).issued.token;
    await gw.gql(SetPasswordDocument, { customerId: c.id, password: "admin chose this" });
    const res = await gw.gql(ResetPasswordDocument, { token, newPassword: "too late for this" }, publicA());
    expect(res.data!.resetPassword).toMatchObject({ code: "INVALID_TOKEN" });
    expect((await gw.db.oneTimeToken.findFirstOrThrow({ where: { customerId: rowId(c.id) } })).invalidatedAt).not.toBeNull();
  });

  it("forgotPassword answers the same for known and unknown identifiers and records the token id (never the token) for a notifier", async () => {
    const c = await customer();
    const known = await gw.gql(ForgotPasswordDocument, { identifier: c.email }, publicA());
    const knownEvent = await last();
    const unknown = await gw.gql(ForgotPasswordDocument, { identifier: "nobody-here@example.com" }, publicA());
    const unknownEvent = await last();
    expect(known.data).toEqual(unknown.data);
    expect(known.data!.forgotPassword).toEqual({ __typename: "ForgotPasswordPayload", accepted: true });
    const row = await gw.db.oneTimeToken.findFirstOrThrow({ where: { customerId: rowId(c.id), purpose: "PASSWORD_RESET" } });
    expect(knownEvent).toMatchObject({
      type: "customer.password_reset_requested",
      customerId: rowId(c.id),
      data: { tokenId: row.id, identifierKind: "email" },
    });
    expect(Object.keys(knownEvent.data as object).sort()).toEqual(["expiresAt", "identifierKind", "tokenId"]);
    expect(unknownEvent).toMatchObject({ type: "customer.password_reset_requested", customerId: null, data: { unknownIdentifier: true } });
  });
});

import { decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import {
  BlockCustomerDocument,
  CustomerSignInLockDocument,
  CustomerDocument,
  DisableCustomerDocument,
  MeDocument,
  RevokeSessionDocument,
  SignInDocument,
  SignOutDocument,
  UnblockCustomerDocument,
} from "./generated/graphql.ts";
import { PASSWORD, type TestGateway } from "./helpers/gateway.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { rowId } from "./helpers/ids.ts";
import { auditTrail } from "./helpers/snapshot.ts";

const FIREFOX_UBUNTU = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";

const gw = useTestGateway();

let n = 0;
/** A customer of tenant A with an email, a phone, a username and (unless told otherwise) a password. */
async function customer(password: string | null = PASSWORD) {
  const i = ++n;
  const { id } = await gw.createCustomerWithPassword(
    { username: `signer${i}`, emails: [{ address: `signer${i}@example.com` }], phones: [{ number: `+4930${String(1000000 + i)}` }] },
    password,
  );
  return { id, email: `signer${i}@example.com`, username: `signer${i}`, phone: `+4930${String(1000000 + i)}` };
}

const publicA = () => ({ tenant: gw.tenants.A.slug });
const signIn = (identifier: string, password: string, as: Parameters<TestGateway["gql"]>[2] = publicA()) =>
  gw.gql(SignInDocument, { identifier, password }, as);
const lastEvents = async (k: number) => (await auditTrail(gw.db, gw.tenants.A.id)).slice(-k);

describe("signIn", () => {
  it("signs a customer in by email, username or phone with an access token carrying sub, tenant, sid and scope, and a refresh token", async () => {
    const c = await customer();
    for (const identifier of [c.email.toUpperCase(), c.username, c.phone]) {
      const tokens = await gw.signIn(identifier, PASSWORD);
      expect(tokens.tokenType).toBe("Bearer");
      expect(tokens.customerId).toBe(c.id);
      expect(tokens.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const claims = decodeJwt(tokens.accessToken);
      expect(claims).toMatchObject({
        sub: rowId(c.id),
        tenant: gw.tenants.A.id,
        sid: rowId(tokens.sessionId),
        scope: "customer",
        iss: "identity-gateway",
      });
      expect(claims.exp! - claims.iat!).toBe(15 * 60);
      expect(Date.parse(tokens.accessTokenExpiresAt)).toBe(claims.exp! * 1000);
      expect(decodeProtectedHeader(tokens.accessToken)).toMatchObject({ alg: "EdDSA", typ: "JWT", kid: expect.any(String) });
    }
  });

  it("starts a session with the request's user agent parsed, stamps lastLoginAt and records session.created and customer.signed_in in one transaction", async () => {
    const c = await customer();
    const res = await signIn(c.email, PASSWORD, { tenant: gw.tenants.A.slug, headers: { "user-agent": FIREFOX_UBUNTU } });
    if (res.data!.signIn.__typename !== "SignInPayload") throw new Error(JSON.stringify(res));
    const session = await gw.db.session.findUniqueOrThrow({ where: { id: rowId(res.data!.signIn.sessionId) } });
    expect(session).toMatchObject({ customerId: rowId(c.id), browser: "Firefox 120", os: "Ubuntu", device: "desktop", revokedAt: null });
    expect(session.expiresAt.getTime() - session.createdAt.getTime()).toBe(30 * 24 * 3600 * 1000);
    const admin = await gw.gql(CustomerDocument, { id: c.id });
    expect(admin.data!.customer!.lastLoginAt).not.toBeNull();
    const [created, signedIn] = await lastEvents(2);
    expect(created).toMatchObject({ type: "session.created", customerId: rowId(c.id), actorKind: "CUSTOMER", actorId: rowId(c.id) });
    expect(signedIn).toMatchObject({
      type: "customer.signed_in",
      customerId: rowId(c.id),
      actorKind: "CUSTOMER",
      userAgent: FIREFOX_UBUNTU,
    });
    expect(signedIn.data).toEqual({ sessionId: session.id, identifierKind: "email", passwordRehashed: false, amr: ["pwd"] });
    expect(signedIn.seq - created.seq).toBe(1n);
  });

  it("needs the X-Tenant header, answers TENANT_NOT_FOUND for an unknown slug, and never finds a customer of another tenant", async () => {
    const c = await customer();
    const missing = await signIn(c.email, PASSWORD, "anonymous");
    expect(missing.data!.signIn).toMatchObject({ __typename: "ValidationError", issues: [{ field: "X-Tenant" }] });
    const unknown = await signIn(c.email, PASSWORD, { tenant: "no-such-tenant" });
    expect(unknown.data!.signIn).toMatchObject({ __typename: "NotFoundError", code: "TENANT_NOT_FOUND" });
    const otherTenant = await signIn(c.email, PASSWORD, { tenant: gw.tenants.B.slug });
    expect(otherTenant.data!.signIn).toMatchObject({ __typename: "AuthenticationError", code: "INVALID_CREDENTIALS" });
  });

  it("answers an unknown identifier and a wrong password with the same error, and records each failure with its cause for admins", async () => {
    const c = await customer();
    const unknown = await signIn("nobody@example.com", PASSWORD);
    const [unknownEvent] = await lastEvents(1);
    const wrong = await signIn(c.email, "not the password at all");
    const [wrongEvent] = await lastEvents(1);
    expect(unknown.data!.signIn).toEqual(wrong.data!.signIn);
    expect(wrong.data!.signIn).toEqual({
      __typename: "AuthenticationError",
      code: "INVALID_CREDENTIALS",
      message: "The identifier or password is incorrect",
    });
    expect(unknownEvent).toMatchObject({
      type: "customer.sign_in_failed",
      customerId: null,
      data: { reason: "unknown_identifier", identifierKind: "email" },
    });
    expect(wrongEvent).toMatchObject({
      type: "customer.sign_in_failed",
      customerId: rowId(c.id),
      data: { reason: "wrong_password", failures: 1 },
    });
    expect(JSON.stringify([unknownEvent.data, wrongEvent.data])).not.toContain("not the password");
  });

  it("refuses blocked and disabled customers and customers without a password with the generic error, recording the real reason", async () => {
    const blocked = await customer();
    const disabled = await customer();
    const noPassword = await customer(null);
    await gw.gql(BlockCustomerDocument, { id: blocked.id, reason: "fraud review" });
    await gw.gql(DisableCustomerDocument, { id: disabled.id });
    for (const [c, reason] of [
      [blocked, "blocked"],
      [disabled, "disabled"],
      [noPassword, "no_password"],
    ] as const) {
      const res = await signIn(c.email, PASSWORD);
      expect(res.data!.signIn).toMatchObject({
        __typename: "AuthenticationError",
        code: "INVALID_CREDENTIALS",
        message: "The identifier or password is incorrect",
      });
      const [event] = await lastEvents(1);
      expect(event).toMatchObject({ type: "customer.sign_in_failed", customerId: rowId(c.id), data: { reason } });
    }
    expect(await gw.db.session.count({ where: { customerId: { in: [blocked, disabled, noPassword].map((c) => rowId(c.id)) } } })).toBe(0);
  });
});

describe("throttle and hard lock", () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const answer = async (identifier: string, password: string) => {
    const res = await signIn(identifier, password);
    const payload = res.data!.signIn as { __typename: string; retryAfter?: number };
    return { status: res.status, typename: payload.__typename, retryAfter: payload.retryAfter };
  };

  it("makes wrong passwords wait longer and longer, the same for an unknown identifier, without blocking the customer or ending their session", async () => {
    const c = await customer();
    const live = await gw.signIn(c.username, PASSWORD);
    const both = async (password: string) => [await answer(c.email, password), await answer("ghost-throttle@example.com", password)];
    const wrong = { status: 200, typename: "AuthenticationError", retryAfter: undefined };
    // Three free failures, the fourth starts a 1 s wait.
    for (let i = 0; i < 4; i++) expect(await both(`wrong-${i}`)).toEqual([wrong, wrong]);
    const waiting1 = { status: 429, typename: "RateLimitedError", retryAfter: 1 };
    expect(await both("wrong-again")).toEqual([waiting1, waiting1]);
    // Even the right password waits: the throttle never looks at it.
    expect(await answer(c.email, PASSWORD)).toEqual(waiting1);
    await sleep(1100);
    expect(await both("wrong-5")).toEqual([wrong, wrong]);
    const waiting2 = { status: 429, typename: "RateLimitedError", retryAfter: 2 };
    expect(await both("wrong-6")).toEqual([waiting2, waiting2]);

    const row = await gw.db.customer.findUniqueOrThrow({ where: { id: rowId(c.id) } });
    expect([row.status, row.blockReason, row.failedSignIns]).toEqual(["ACTIVE", null, 5]);
    expect((await gw.gql(MeDocument, {}, { bearer: live.accessToken })).data!.me.id).toBe(c.id);
    expect(await gw.db.session.count({ where: { customerId: rowId(c.id), revokedAt: { not: null } } })).toBe(0);
    await sleep(2100);
    expect((await signIn(c.email, PASSWORD)).data!.signIn.__typename).toBe("SignInPayload");
    // A success forgets the failures: without it this would be a 4 s wait. (Ten attempts in a
    // minute: the per-identifier rate limit allows no more.)
    expect(await answer(c.email, "later")).toEqual(wrong);
  });

  describe("with a hard lock at four failures", () => {
    // Free failures far above the lock, so that only the hard lock is at work here.
    const strict = useTestGateway({ env: { LOCKOUT_THRESHOLD: "4", SIGN_IN_FREE_FAILURES_PER_IP: "50", SIGN_IN_FREE_FAILURES: "50" } });
    let m = 0;
    async function locked() {
      const email = `strict${++m}@example.com`;
      const { id } = await strict.createCustomerWithPassword({ emails: [{ address: email }] });
      return { id, email };
    }
    const attempt = (g: TestGateway, email: string, password: string) =>
      g.gql(SignInDocument, { identifier: email, password }, { tenant: "tenant-a" });

    it("refuses even the right password with the generic error, records customer.locked_out once, keeps the customer ACTIVE and their sessions alive, and unblockCustomer lifts it", async () => {
      const c = await locked();
      const live = await strict.signIn(c.email, PASSWORD);
      for (let i = 0; i < 4; i++) await attempt(strict, c.email, `wrong-${i}`);
      const trail = await auditTrail(strict.db, strict.tenants.A.id);
      expect(trail.filter((e) => e.type === "customer.locked_out")).toMatchObject([
        { customerId: rowId(c.id), data: { failures: 4, lockedForSeconds: 3600 } },
      ]);
      const right = await attempt(strict, c.email, PASSWORD);
      expect(right.data!.signIn).toEqual({
        __typename: "AuthenticationError",
        code: "INVALID_CREDENTIALS",
        message: "The identifier or password is incorrect",
      });
      expect((await auditTrail(strict.db, strict.tenants.A.id)).at(-1)).toMatchObject({
        type: "customer.sign_in_failed",
        data: { reason: "locked" },
      });
      expect((await strict.db.customer.findUniqueOrThrow({ where: { id: rowId(c.id) } })).status).toBe("ACTIVE");
      expect((await strict.gql(MeDocument, {}, { bearer: live.accessToken })).status).toBe(200);
      // Support staff see until when, customers do not.
      const lock = (await strict.gql(CustomerSignInLockDocument, { id: c.id })).data!.customer!.signInLockedUntil;
      expect(Math.abs(new Date(lock!).getTime() - (Date.now() + 3600_000))).toBeLessThan(60_000);

      const unblocked = await strict.gql(UnblockCustomerDocument, { id: c.id });
      expect(unblocked.data!.unblockCustomer.__typename).toBe("UnblockCustomerPayload");
      expect((await auditTrail(strict.db, strict.tenants.A.id)).at(-1)).toMatchObject({
        type: "customer.unblocked",
        data: { clearedFailedSignIns: 5 },
      });
      expect((await attempt(strict, c.email, PASSWORD)).data!.signIn.__typename).toBe("SignInPayload");
      expect((await strict.gql(CustomerSignInLockDocument, { id: c.id })).data!.customer!.signInLockedUntil).toBeNull();
    });

    it("forgets failures older than the window, and lets a lock end once its duration has run out", async () => {
      const c = await locked();
      await strict.db.customer.update({
        where: { id: rowId(c.id) },
        data: { failedSignIns: 3, failedSignInsSince: new Date(Date.now() - 25 * 3600 * 1000) },
      });
      await attempt(strict, c.email, "wrong");
      expect((await strict.db.customer.findUniqueOrThrow({ where: { id: rowId(c.id) } })).failedSignIns).toBe(1);
      await strict.db.customer.update({
        where: { id: rowId(c.id) },
        data: { failedSignIns: 4, failedSignInsSince: new Date(Date.now() - 3601 * 1000) },
      });
      expect((await attempt(strict, c.email, PASSWORD)).data!.signIn.__typename).toBe("SignInPayload");
      const row = await strict.db.customer.findUniqueOrThrow({ where: { id: rowId(c.id) } });
      expect([row.failedSignIns, row.failedSignInsSince]).toEqual([0, null]);
    });

    it("counts parallel failures exactly: the counter is one UPDATE that reads what it changes", async () => {
      const c = await locked();
      await Promise.all(Array.from({ length: 3 }, (_, i) => attempt(strict, c.email, `parallel-${i}`)));
      expect((await strict.db.customer.findUniqueOrThrow({ where: { id: rowId(c.id) } })).failedSignIns).toBe(3);
    });
  });
});

describe("access tokens", () => {
  it("stop working the moment their session is revoked by an admin, signed out, or their customer is blocked", async () => {
    const c = await customer();
    const byAdmin = await gw.signIn(c.email, PASSWORD);
    const bySignOut = await gw.signIn(c.email, PASSWORD);
    const byBlock = await gw.signIn(c.email, PASSWORD);
    for (const t of [byAdmin, bySignOut, byBlock]) expect((await gw.gql(MeDocument, {}, { bearer: t.accessToken })).data!.me.id).toBe(c.id);

    await gw.gql(RevokeSessionDocument, { id: byAdmin.sessionId });
    const revoked = await gw.gql(MeDocument, {}, { bearer: byAdmin.accessToken });
    expect([revoked.status, revoked.errors?.[0].extensions?.code, revoked.data]).toEqual([401, "UNAUTHENTICATED", undefined]);

    const out = await gw.gql(SignOutDocument, {}, { bearer: bySignOut.accessToken });
    expect(out.data!.signOut).toMatchObject({ __typename: "SignOutPayload", session: { id: bySignOut.sessionId, active: false } });
    expect((await lastEvents(1))[0]).toMatchObject({
      type: "customer.signed_out",
      actorKind: "CUSTOMER",
      data: { sessionId: rowId(bySignOut.sessionId) },
    });
    expect((await gw.gql(MeDocument, {}, { bearer: bySignOut.accessToken })).status).toBe(401);

    expect((await gw.gql(MeDocument, {}, { bearer: byBlock.accessToken })).status).toBe(200);
    await gw.gql(BlockCustomerDocument, { id: c.id, reason: "chargeback" });
    expect((await gw.gql(MeDocument, {}, { bearer: byBlock.accessToken })).status).toBe(401);
  });

  it("are refused when tampered with, malformed, signed by an unknown key, or sent together with admin credentials", async () => {
    const c = await customer();
    const { accessToken } = await gw.signIn(c.email, PASSWORD);
    const [header, payload, signature] = accessToken.split(".");
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(accessToken), sub: "00000000-0000-0000-0000-000000000000" })).toString(
      "base64url",
    );
    const noneAlg = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
    const unknownKid = Buffer.from(JSON.stringify({ ...decodeProtectedHeader(accessToken), kid: "k_nope" })).toString("base64url");
    for (const bad of [
      `${header}.${forged}.${signature}`,
      `${noneAlg}.${payload}.`,
      `${unknownKid}.${payload}.${signature}`,
      "garbage",
      `${accessToken}x`,
    ]) {
      const res = await gw.gql(MeDocument, {}, { bearer: bad });
      expect([res.status, res.errors?.[0].extensions?.code]).toEqual([401, "UNAUTHENTICATED"]);
    }
    const both = await gw.gql(MeDocument, {}, { bearer: accessToken, headers: gw.tenants.A.headers });
    expect(both.status).toBe(401);
  });
});

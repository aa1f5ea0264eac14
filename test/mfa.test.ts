import { decodeJwt } from "jose";
import { generate } from "otplib";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  CompleteSignInDocument,
  ConfirmTotpDocument,
  CustomerAuthenticatorsDocument,
  EnrollTotpDocument,
  LinkIdentityDocument,
  MyAuthenticatorsDocument,
  RefreshSessionDocument,
  RegenerateMyRecoveryCodesDocument,
  RemoveAuthenticatorDocument,
  RemoveMyAuthenticatorDocument,
  ResetRecoveryCodesDocument,
  SignInMfaDocument,
} from "./generated/graphql.ts";
import { PASSWORD } from "./helpers/gateway.ts";
import { createApp } from "./helpers/notifications.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { globalId, rowId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";

// Authenticator apps and two-step sign-in through the real endpoint. The JavaScript clock is
// frozen per test at the start of a TOTP step (only Date is faked), so codes of step k are
// computed here with otplib exactly as an app would, and no test depends on where in a 30-second
// step it happens to run.

const gw = useTestGateway({
  // 4 free failures per account+IP: a challenge's 5 wrong codes all reach the code check.
  env: { SIGN_IN_FREE_FAILURES_PER_IP: "4", RATE_LIMIT_SIGN_IN_PER_IP: "1000/60" },
});

const STEP_MS = 30_000;
let t0 = 0;
beforeEach(() => {
  t0 = Math.floor(Date.now() / STEP_MS) * STEP_MS + 1000;
  vi.useFakeTimers({ toFake: ["Date"], now: t0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Moves the clock to step k (relative to the test's first). */
const atStep = (k: number) => vi.setSystemTime(t0 + k * STEP_MS);
/** What an authenticator app shows at step k. */
const codeAt = (secret: string, k: number) => generate({ secret, epoch: (t0 + k * STEP_MS) / 1000 });

const publicA = () => ({ tenant: gw.tenants.A.slug });
let n = 0;

/** A signed-in customer of tenant A with an email, a phone and a password, without second factor. */
async function plainCustomer(tenant: "A" | "B" = "A") {
  const i = ++n;
  const email = `mfa${i}@example.com`;
  const { customer, as } = await gw.createSignedInCustomer(
    { username: `mfa${i}`, emails: [{ address: email }], phones: [{ number: `+4930${String(2000000 + i)}` }] },
    PASSWORD,
    tenant,
  );
  return { id: customer.id, email, as };
}

/** A customer who enrolled and confirmed an authenticator app at step 0. */
async function mfaCustomer(tenant: "A" | "B" = "A") {
  const c = await plainCustomer(tenant);
  const enrolled = (await gw.gql(EnrollTotpDocument, { label: "Phone" }, c.as)).data!.enrollTotp;
  if (enrolled.__typename !== "EnrollTotpPayload") throw new Error(JSON.stringify(enrolled));
  const { secret, factorId } = enrolled.enrollment;
  const confirmed = (await gw.gql(ConfirmTotpDocument, { factorId, code: await codeAt(secret, 0) }, c.as)).data!.confirmTotp;
  if (confirmed.__typename !== "ConfirmTotpPayload") throw new Error(JSON.stringify(confirmed));
  return { ...c, secret, factorId, recoveryCodes: confirmed.confirmation.recoveryCodes };
}

async function challengeFor(email: string, tenant: "A" | "B" = "A") {
  const res = (await gw.gql(SignInMfaDocument, { identifier: email, password: PASSWORD }, { tenant: gw.tenants[tenant].slug })).data!
    .signIn;
  if (res.__typename !== "MfaRequired") throw new Error(JSON.stringify(res));
  return res;
}

const complete = (challenge: string, proof: { code?: string; recoveryCode?: string }, tenant: "A" | "B" = "A") =>
  gw.gql(CompleteSignInDocument, { challenge, ...proof }, { tenant: gw.tenants[tenant].slug }).then((r) => r.data!.completeSignIn);

const eventsOf = async (customerId: string) => (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.customerId === rowId(customerId));

describe("enrolling an authenticator app", () => {
  it("answers a base32 secret and an otpauth URI naming the tenant and the customer's email, pending until confirmed", async () => {
    const c = await plainCustomer();
    const res = (await gw.gql(EnrollTotpDocument, {}, c.as)).data!.enrollTotp;
    if (res.__typename !== "EnrollTotpPayload") throw new Error(JSON.stringify(res));
    const { secret, uri, factor } = res.enrollment;
    const tenant = await gw.db.tenant.findUniqueOrThrow({ where: { id: gw.tenants.A.id } });
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(uri);
    expect(url.protocol).toBe("otpauth:");
    expect(url.host).toBe("totp");
    expect(decodeURIComponent(url.pathname)).toBe(`/${tenant.name}:${c.email}`);
    expect(url.searchParams.get("secret")).toBe(secret);
    expect(url.searchParams.get("issuer")).toBe(tenant.name);
    expect(factor).toMatchObject({ __typename: "TotpAuthenticator", kind: "TOTP", label: "Authenticator app", confirmed: false });
    // Sealed at rest: the stored text is not the secret.
    const row = await gw.db.totpFactor.findFirstOrThrow({ where: { customerId: rowId(c.id) } });
    expect(row.secretSealed).not.toContain(secret);
    // Pending: sign-in stays single-factor.
    const signIn = (await gw.gql(SignInMfaDocument, { identifier: c.email, password: PASSWORD }, publicA())).data!.signIn;
    expect(signIn.__typename).toBe("SignInPayload");
  });

  it("refuses a wrong code without writing anything, then confirms with the app's code and answers 10 single-use recovery codes stored hashed", async () => {
    const c = await plainCustomer();
    const res = (await gw.gql(EnrollTotpDocument, { label: "Work phone" }, c.as)).data!.enrollTotp;
    if (res.__typename !== "EnrollTotpPayload") throw new Error(JSON.stringify(res));
    const { secret, factorId } = res.enrollment;
    const right = await codeAt(secret, 0);
    const wrong = right === "000000" ? "111111" : "000000";
    await expectNoWrites(gw.db, async () => {
      const refused = (await gw.gql(ConfirmTotpDocument, { factorId, code: wrong }, c.as)).data!.confirmTotp;
      expect(refused).toMatchObject({ __typename: "ValidationError", code: "VALIDATION_FAILED", issues: [{ field: "code" }] });
    });
    // A code from two steps ago is outside the ±1 step drift.
    atStep(2);
    const stale = (await gw.gql(ConfirmTotpDocument, { factorId, code: right }, c.as)).data!.confirmTotp;
    expect(stale.__typename).toBe("ValidationError");
    atStep(1); // one step of drift is fine
    const ok = (await gw.gql(ConfirmTotpDocument, { factorId, code: right }, c.as)).data!.confirmTotp;
    if (ok.__typename !== "ConfirmTotpPayload") throw new Error(JSON.stringify(ok));
    const codes = ok.confirmation.recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9a-hjkmnp-tv-z]{4}(-[0-9a-hjkmnp-tv-z]{4}){3}$/);
    expect(ok.confirmation.factor).toMatchObject({ label: "Work phone", confirmed: true });
    const stored = await gw.db.recoveryCode.findMany({ where: { customerId: rowId(c.id) } });
    expect(stored).toHaveLength(10);
    for (const row of stored) {
      expect(row.codeHash).toMatch(/^[0-9a-f]{64}$/);
      expect(codes.map((x) => x.replace(/-/g, ""))).not.toContain(row.codeHash);
    }
    const types = (await eventsOf(c.id)).map((e) => e.type);
    expect(types.slice(-3)).toEqual(["customer.mfa_enrollment_started", "customer.mfa_enrolled", "customer.recovery_codes_generated"]);
    const again = (await gw.gql(ConfirmTotpDocument, { factorId, code: await codeAt(secret, 1) }, c.as)).data!.confirmTotp;
    expect(again).toMatchObject({ __typename: "RuleViolationError", code: "INVALID_STATE" });
  });
});

describe("two-step sign-in", () => {
  it("answers MfaRequired instead of tokens, then completeSignIn issues them with amr pwd+otp, kept by refreshSession", async () => {
    const c = await mfaCustomer();
    const sessionsBefore = await gw.db.session.count({ where: { customerId: rowId(c.id) } });
    const mfa = await challengeFor(c.email);
    expect(mfa.methods).toEqual(["TOTP", "RECOVERY_CODE"]);
    expect(Date.parse(mfa.expiresAt) - Date.now()).toBe(300_000);
    expect(await gw.db.session.count({ where: { customerId: rowId(c.id) } })).toBe(sessionsBefore);
    const stored = await gw.db.mfaChallenge.findFirstOrThrow({ where: { customerId: rowId(c.id) } });
    expect(stored.tokenHash).not.toBe(mfa.challenge);

    atStep(1);
    const done = await complete(mfa.challenge, { code: await codeAt(c.secret, 1) });
    if (done.__typename !== "SignInPayload") throw new Error(JSON.stringify(done));
    expect(done.customerId).toBe(c.id);
    expect(decodeJwt(done.accessToken)).toMatchObject({ sub: rowId(c.id), amr: ["pwd", "otp"] });
    const signedIn = (await eventsOf(c.id)).filter((e) => e.type === "customer.signed_in").at(-1)!;
    expect(signedIn.data).toMatchObject({
      sessionId: rowId(done.sessionId),
      identifierKind: "email",
      amr: ["pwd", "otp"],
      secondFactor: { method: "totp" },
    });
    const me = await gw.gql(MyAuthenticatorsDocument, {}, { bearer: done.accessToken });
    expect(me.data!.me.id).toBe(c.id);
    const refreshed = (await gw.gql(RefreshSessionDocument, { refreshToken: done.refreshToken }, publicA())).data!.refreshSession;
    if (refreshed.__typename !== "RefreshSessionPayload") throw new Error(JSON.stringify(refreshed));
    expect(decodeJwt(refreshed.accessToken).amr).toEqual(["pwd", "otp"]);
    // The challenge is spent.
    expect(await complete(mfa.challenge, { code: await codeAt(c.secret, 1) })).toMatchObject({ code: "INVALID_TOKEN" });
  });

  it("signs a customer without an app in with amr pwd", async () => {
    const c = await plainCustomer();
    const res = (await gw.gql(SignInMfaDocument, { identifier: c.email, password: PASSWORD }, publicA())).data!.signIn;
    if (res.__typename !== "SignInPayload") throw new Error(JSON.stringify(res));
    expect(decodeJwt(res.accessToken).amr).toEqual(["pwd"]);
  });

  it("refuses a replayed code (a step the factor already accepted) and counts it as a failed sign-in", async () => {
    const c = await mfaCustomer();
    atStep(1);
    const code = await codeAt(c.secret, 1);
    expect((await complete((await challengeFor(c.email)).challenge, { code })).__typename).toBe("SignInPayload");
    const replay = await complete((await challengeFor(c.email)).challenge, { code });
    expect(replay).toMatchObject({ __typename: "AuthenticationError", code: "INVALID_CREDENTIALS" });
    // The confirmation's own code (step 0) is spent too.
    expect(await complete((await challengeFor(c.email)).challenge, { code: await codeAt(c.secret, 0) })).toMatchObject({
      code: "INVALID_CREDENTIALS",
    });
    const failed = (await eventsOf(c.id)).filter((e) => e.type === "customer.sign_in_mfa_failed");
    expect(failed).toHaveLength(2);
    expect(failed[0].data).toMatchObject({ reason: "wrong_code", method: "totp", failures: 1 });
    expect((await gw.db.customer.findUniqueOrThrow({ where: { id: rowId(c.id) } })).failedSignIns).toBe(2);
  });

  it("kills a challenge after 5 wrong codes, and the wrong codes make the next sign-in wait like wrong passwords", async () => {
    const c = await mfaCustomer();
    const { challenge } = await challengeFor(c.email);
    for (let i = 0; i < 5; i++) {
      expect(await complete(challenge, { code: String(100000 + i) })).toMatchObject({ code: "INVALID_CREDENTIALS" });
    }
    expect(await complete(challenge, { code: await codeAt(c.secret, 1) })).toMatchObject({ code: "INVALID_TOKEN" });
    const res = (await gw.gql(SignInMfaDocument, { identifier: c.email, password: PASSWORD }, publicA())).data!.signIn;
    expect(res).toMatchObject({ __typename: "RateLimitedError", code: "RATE_LIMITED" });
  });

  it("refuses an expired challenge", async () => {
    const c = await mfaCustomer();
    const { challenge } = await challengeFor(c.email);
    vi.setSystemTime(t0 + 301_000);
    expect(await complete(challenge, { code: await codeAt(c.secret, 10) })).toMatchObject({ code: "INVALID_TOKEN" });
  });

  it("accepts each recovery code once (typed in any case, without dashes) and says how many remain", async () => {
    const c = await mfaCustomer();
    const code = c.recoveryCodes[3];
    const done = await complete((await challengeFor(c.email)).challenge, { recoveryCode: code.replace(/-/g, "").toUpperCase() });
    expect(done.__typename).toBe("SignInPayload");
    const used = (await eventsOf(c.id)).filter((e) => e.type === "customer.recovery_code_used");
    expect(used.map((e) => e.data)).toEqual([{ remaining: 9, during: "signIn" }]);
    expect(await complete((await challengeFor(c.email)).challenge, { recoveryCode: code })).toMatchObject({ code: "INVALID_CREDENTIALS" });
    const list = (await gw.gql(CustomerAuthenticatorsDocument, { id: c.id })).data!.customer!.authenticators;
    expect(list.find((a) => a.__typename === "RecoveryCodesAuthenticator")).toMatchObject({ remaining: 9, total: 10 });
  });

  it("wants exactly one of code and recoveryCode", async () => {
    const c = await mfaCustomer();
    const { challenge } = await challengeFor(c.email);
    expect(await complete(challenge, {})).toMatchObject({ __typename: "ValidationError" });
    expect(await complete(challenge, { code: "123456", recoveryCode: c.recoveryCodes[0] })).toMatchObject({
      __typename: "ValidationError",
    });
  });
});

describe("authenticators", () => {
  it("lists password, emails, phones, apps, recovery codes and external identities, the same for the admin and the customer", async () => {
    const c = await mfaCustomer();
    await gw.gql(LinkIdentityDocument, { customerId: c.id, identity: { provider: "google", providerUserId: `g-${c.id}` } });
    const admin = (await gw.gql(CustomerAuthenticatorsDocument, { id: c.id })).data!.customer!.authenticators;
    expect(admin.map((a) => a.__typename)).toEqual([
      "PasswordAuthenticator",
      "EmailAuthenticator",
      "PhoneAuthenticator",
      "TotpAuthenticator",
      "RecoveryCodesAuthenticator",
      "ExternalAuthenticator",
    ]);
    expect(admin[0]).toMatchObject({ set: true, lastChangedAt: expect.any(String) });
    expect(admin[1]).toMatchObject({ kind: "EMAIL", address: c.email, primary: true });
    expect(admin[3]).toMatchObject({ label: "Phone", confirmed: true, lastUsedAt: expect.any(String) });
    expect(admin[5]).toMatchObject({ provider: "google" });
    const me = (await gw.gql(MyAuthenticatorsDocument, {}, c.as)).data!.me.authenticators;
    expect(me).toEqual(admin);
  });

  it("admin: removing a lost app makes sign-in single-factor again and deletes the recovery codes (customer.mfa_removed by admin)", async () => {
    const c = await mfaCustomer();
    const totp = (await gw.gql(CustomerAuthenticatorsDocument, { id: c.id })).data!.customer!.authenticators.find(
      (a) => a.kind === "TOTP",
    )!;
    const res = (await gw.gql(RemoveAuthenticatorDocument, { customerId: c.id, authenticatorId: totp.id })).data!.removeAuthenticator;
    if (res.__typename !== "RemoveAuthenticatorPayload") throw new Error(JSON.stringify(res));
    expect(res.customer.authenticators.map((a) => a.kind)).toEqual(["PASSWORD", "EMAIL", "PHONE"]);
    const removed = (await eventsOf(c.id)).at(-1)!;
    expect(removed).toMatchObject({ type: "customer.mfa_removed", actorKind: "ADMIN" });
    expect(removed.data).toMatchObject({ by: "admin", recoveryCodesDeleted: 10, mfaEnabled: false });
    const signIn = (await gw.gql(SignInMfaDocument, { identifier: c.email, password: PASSWORD }, publicA())).data!.signIn;
    expect(signIn.__typename).toBe("SignInPayload");
    const again = (await gw.gql(RemoveAuthenticatorDocument, { customerId: c.id, authenticatorId: totp.id })).data!.removeAuthenticator;
    expect(again).toMatchObject({ code: "AUTHENTICATOR_NOT_FOUND" });
  });

  it("admin: removing a lost app with notify queues AUTHENTICATOR_REMOVED in the same transaction; an unknown application removes nothing", async () => {
    const c = await mfaCustomer();
    const totp = (await gw.gql(CustomerAuthenticatorsDocument, { id: c.id })).data!.customer!.authenticators.find(
      (a) => a.kind === "TOTP",
    )!;
    const unknown = { application: globalId("Application", "00000000-0000-4000-8000-000000000000") };
    const refused = (await gw.gql(RemoveAuthenticatorDocument, { customerId: c.id, authenticatorId: totp.id, notify: unknown })).data!;
    expect(refused.removeAuthenticator).toMatchObject({ code: "APPLICATION_NOT_FOUND" });
    expect(await gw.db.totpFactor.count({ where: { customerId: rowId(c.id) } })).toBe(1);
    const application = await createApp(gw, { name: `help-desk-${rowId(c.id)}`, branding: { displayName: "Help desk" } });
    const notify = { application: application.id };
    const res = (await gw.gql(RemoveAuthenticatorDocument, { customerId: c.id, authenticatorId: totp.id, notify })).data!
      .removeAuthenticator;
    expect(res.__typename).toBe("RemoveAuthenticatorPayload");
    const queued = await gw.db.notification.findMany({ where: { customerId: rowId(c.id) } });
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ kind: "AUTHENTICATOR_REMOVED", recipient: c.email });
    expect(queued[0]!.textBody).toContain("Authenticator app Phone was removed");
  });

  it("admin: removes an email through the contacts service, refuses the password and the last external identity, revokes recovery codes", async () => {
    const c = await mfaCustomer();
    await gw.gql(LinkIdentityDocument, { customerId: c.id, identity: { provider: "google", providerUserId: `g2-${c.id}` } });
    const list = (await gw.gql(CustomerAuthenticatorsDocument, { id: c.id })).data!.customer!.authenticators;
    const byKind = (k: string) => list.find((a) => a.kind === k)!.id;
    const remove = async (authenticatorId: string) =>
      (await gw.gql(RemoveAuthenticatorDocument, { customerId: c.id, authenticatorId })).data!.removeAuthenticator;
    expect(await remove(byKind("PASSWORD"))).toMatchObject({ code: "INVALID_STATE" });
    expect(await remove(byKind("EXTERNAL"))).toMatchObject({ code: "LAST_SIGN_IN_METHOD" });
    const phone = await remove(byKind("PHONE"));
    if (phone.__typename !== "RemoveAuthenticatorPayload") throw new Error(JSON.stringify(phone));
    expect(phone.customer.authenticators.map((a) => a.kind)).not.toContain("PHONE");
    expect((await eventsOf(c.id)).at(-1)!.type).toBe("customer.phone_removed");
    const reset = (await gw.gql(ResetRecoveryCodesDocument, { customerId: c.id })).data!.resetRecoveryCodes;
    expect(reset.__typename).toBe("ResetRecoveryCodesPayload");
    expect((await eventsOf(c.id)).at(-1)).toMatchObject({ type: "customer.recovery_codes_revoked", data: { count: 10 } });
    expect((await challengeFor(c.email)).methods).toEqual(["TOTP"]);
    // Nothing left to revoke: nothing recorded.
    await expectNoWrites(gw.db, async () => {
      await gw.gql(ResetRecoveryCodesDocument, { customerId: c.id });
    });
  });

  it("customer: removing an app or regenerating codes needs a current code or a recovery code; a wrong one counts as a failure", async () => {
    const c = await mfaCustomer();
    atStep(1);
    const right = await codeAt(c.secret, 1);
    const wrongCode = right === "000000" ? "111111" : "000000";
    const wrong = (await gw.gql(RemoveMyAuthenticatorDocument, { authenticatorId: c.factorId, code: wrongCode }, c.as)).data!
      .removeMyAuthenticator;
    expect(wrong).toMatchObject({ __typename: "AuthenticationError", code: "INVALID_CREDENTIALS" });
    expect((await eventsOf(c.id)).at(-1)!.type).toBe("customer.mfa_verification_failed");
    const regenerated = (await gw.gql(RegenerateMyRecoveryCodesDocument, { code: right }, c.as)).data!.regenerateMyRecoveryCodes;
    if (regenerated.__typename !== "RegenerateMyRecoveryCodesPayload") throw new Error(JSON.stringify(regenerated));
    const fresh = regenerated.recoveryCodes.recoveryCodes;
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(c.recoveryCodes[0]);
    // The old codes are gone; a new one proves the removal.
    const old = (await gw.gql(RemoveMyAuthenticatorDocument, { authenticatorId: c.factorId, recoveryCode: c.recoveryCodes[0] }, c.as)).data!
      .removeMyAuthenticator;
    expect(old).toMatchObject({ code: "INVALID_CREDENTIALS" });
    const removed = (await gw.gql(RemoveMyAuthenticatorDocument, { authenticatorId: c.factorId, recoveryCode: fresh[0] }, c.as)).data!
      .removeMyAuthenticator;
    expect(removed.__typename).toBe("RemoveMyAuthenticatorPayload");
    expect((await eventsOf(c.id)).at(-1)).toMatchObject({
      type: "customer.mfa_removed",
      actorKind: "CUSTOMER",
      data: { by: "customer", proof: "recovery_code" },
    });
    const signIn = (await gw.gql(SignInMfaDocument, { identifier: c.email, password: PASSWORD }, publicA())).data!.signIn;
    expect(signIn.__typename).toBe("SignInPayload");
    const none = (await gw.gql(RegenerateMyRecoveryCodesDocument, { code: right }, c.as)).data!.regenerateMyRecoveryCodes;
    expect(none).toMatchObject({ code: "INVALID_STATE" });
  });
});

describe("tenant isolation", () => {
  it("answers not found for another tenant's customer, factor or challenge", async () => {
    const a = await mfaCustomer("A");
    const b = await mfaCustomer("B");
    const bTotp = globalId("TotpAuthenticator", rowId(b.factorId));
    // Tenant B's admin cannot reach A's customer; A's admin cannot remove B's factor through an A customer.
    expect(
      (await gw.gql(RemoveAuthenticatorDocument, { customerId: a.id, authenticatorId: a.factorId }, "B")).data!.removeAuthenticator,
    ).toMatchObject({
      code: "CUSTOMER_NOT_FOUND",
    });
    expect((await gw.gql(ResetRecoveryCodesDocument, { customerId: a.id }, "B")).data!.resetRecoveryCodes).toMatchObject({
      code: "CUSTOMER_NOT_FOUND",
    });
    expect((await gw.gql(CustomerAuthenticatorsDocument, { id: a.id }, "B")).data!.customer).toBeNull();
    expect(
      (await gw.gql(RemoveAuthenticatorDocument, { customerId: a.id, authenticatorId: bTotp })).data!.removeAuthenticator,
    ).toMatchObject({
      code: "AUTHENTICATOR_NOT_FOUND",
    });
    // A customer cannot confirm or remove anyone else's factor.
    expect((await gw.gql(ConfirmTotpDocument, { factorId: b.factorId, code: "123456" }, a.as)).data!.confirmTotp).toMatchObject({
      code: "AUTHENTICATOR_NOT_FOUND",
    });
    expect(
      (await gw.gql(RemoveMyAuthenticatorDocument, { authenticatorId: b.factorId, recoveryCode: b.recoveryCodes[0] }, a.as)).data!
        .removeMyAuthenticator,
    ).toMatchObject({ code: "AUTHENTICATOR_NOT_FOUND" });
    // A challenge of tenant A is unknown under tenant B's slug.
    const { challenge } = await challengeFor(a.email);
    atStep(1);
    expect(await complete(challenge, { code: await codeAt(a.secret, 1) }, "B")).toMatchObject({ code: "INVALID_TOKEN" });
    expect((await complete(challenge, { code: await codeAt(a.secret, 1) }, "A")).__typename).toBe("SignInPayload");
  });
});

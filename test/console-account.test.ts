import { generate } from "otplib";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { resetTeamMfa } from "../src/team/service.ts";
import { addMember, TEAM_PASSWORD } from "./helpers/console.ts";
import { auditTrail } from "./helpers/snapshot.ts";
import { useTestGateway } from "./helpers/suite.ts";

// A team member's own sign-in settings over real HTTP: the password (/console/account/password) and
// an authenticator app (/console/account/authenticator-app) that the console sign-in then asks a
// code of. Every change proves the member (password or code) and is recorded in their stores.

const gw = useTestGateway({ listen: true });
const STEP_MS = 30_000;
const NEW_PASSWORD = "another console password, longer";

// The clock is pinned a second into a 30-second step, so "the code of step k" is deterministic.
let t0 = 0;
beforeEach(() => {
  t0 = Math.floor(Date.now() / STEP_MS) * STEP_MS + 1000;
  vi.useFakeTimers({ toFake: ["Date"], now: t0 });
});
afterEach(() => vi.useRealTimers());

const codeAt = (secret: string, k: number) => generate({ secret, epoch: (t0 + k * STEP_MS) / 1000 });
const url = (path: string) => gw.url.replace(/\/graphql$/, path);

async function post(path: string, body: unknown, headers: Record<string, string> = {}, method = "POST") {
  const res = await fetch(url(path), {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { res, body: (text ? JSON.parse(text) : null) as Record<string, unknown> & { code?: string } };
}

/** Signs in (with a code when given); answers the status, code, and the headers of an account request. */
async function signIn(email: string, password = TEAM_PASSWORD, code?: string) {
  const { res, body } = await post("/console/session", { email, password, ...(code === undefined ? {} : { code }) });
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0]!;
  const headers = { cookie, "x-csrf-token": String(body.csrfToken) };
  const stores = (body.stores ?? []) as { keyId: string }[];
  return { status: res.status, code: body.code, body, headers, stores };
}

/** A member of stores A and B who turned an authenticator app on (confirmed at step -1); answers its secret. */
async function memberWithApp() {
  const email = await addMember(gw, undefined, ["A", "B"]);
  const s = await signIn(email);
  const started = await post("/console/account/authenticator-app", undefined, s.headers);
  expect(started.res.status).toBe(200);
  const secret = String(started.body.secret);
  expect(started.body.uri).toBe(
    `otpauth://totp/Identity%20gateway%20console:${encodeURIComponent(email)}?secret=${secret}&issuer=Identity%20gateway%20console`,
  );
  const confirmed = await post("/console/account/authenticator-app", { code: await codeAt(secret, -1) }, s.headers, "PUT");
  expect(confirmed.res.status).toBe(200);
  expect(confirmed.body.member).toMatchObject({ authenticatorApp: true });
  return { email, secret, session: s };
}

const lastEvent = async (tenant: "A" | "B") => (await auditTrail(gw.db, gw.tenants[tenant].id)).at(-1)!;

describe("console authenticator app", () => {
  it("once confirmed, sign-in asks for a code: none, wrong or replayed fail; the current one signs in", async () => {
    const { email, secret, session } = await memberWithApp();
    for (const tenant of ["A", "B"] as const) {
      expect(await lastEvent(tenant)).toMatchObject({
        type: "team.mfa_enabled",
        actorKind: "ADMIN",
        teamMemberId: session.body.member && (session.body.member as { id: string }).id,
      });
    }
    const noCode = await signIn(email);
    expect([noCode.status, noCode.code, noCode.headers.cookie]).toEqual([401, "MFA_REQUIRED", ""]);
    const wrong = await signIn(email, TEAM_PASSWORD, "000000");
    expect([wrong.status, wrong.code]).toEqual([401, "INVALID_CREDENTIALS"]);
    const ok = await signIn(email, TEAM_PASSWORD, await codeAt(secret, 0));
    expect(ok.status).toBe(200);
    expect(ok.body.member).toMatchObject({ authenticatorApp: true });
    const replayed = await signIn(email, TEAM_PASSWORD, await codeAt(secret, 0));
    expect([replayed.status, replayed.code]).toEqual([401, "INVALID_CREDENTIALS"]);
  });

  it("a wrong password with the right code is refused the same way and does not spend the code", async () => {
    const { email, secret } = await memberWithApp();
    const code = await codeAt(secret, 0);
    const refused = await signIn(email, "not the console password", code);
    expect([refused.status, refused.code]).toEqual([401, "INVALID_CREDENTIALS"]);
    expect((await signIn(email, TEAM_PASSWORD, code)).status).toBe(200);
  });

  it("wrong codes feed the sign-in throttle (429 with Retry-After)", async () => {
    const { email } = await memberWithApp();
    let last = await signIn(email, TEAM_PASSWORD, "111111");
    for (let i = 0; i < 6 && last.status !== 429; i++) last = await signIn(email, TEAM_PASSWORD, "111111");
    expect(last.status).toBe(429);
    expect(last.code).toBe("RATE_LIMITED");
  });

  it("turning it off needs the password: a wrong one changes nothing; then sign-in needs no code", async () => {
    const { email, session } = await memberWithApp();
    const wrong = await post("/console/account/authenticator-app", { password: "not the console password" }, session.headers, "DELETE");
    expect([wrong.res.status, wrong.body.code]).toEqual([403, "INVALID_CREDENTIALS"]);
    expect((await signIn(email)).code).toBe("MFA_REQUIRED");
    const off = await post("/console/account/authenticator-app", { password: TEAM_PASSWORD }, session.headers, "DELETE");
    expect(off.res.status).toBe(204);
    expect(await lastEvent("A")).toMatchObject({ type: "team.mfa_disabled", actorKind: "ADMIN" });
    expect((await signIn(email)).status).toBe(200);
  });

  it("a confirmed app cannot be enrolled over (INVALID_STATE), and a wrong first code leaves it off", async () => {
    const { session } = await memberWithApp();
    const again = await post("/console/account/authenticator-app", undefined, session.headers);
    expect([again.res.status, again.body.code]).toEqual([409, "INVALID_STATE"]);
    const email = await addMember(gw);
    const s = await signIn(email);
    await post("/console/account/authenticator-app", undefined, s.headers);
    const wrong = await post("/console/account/authenticator-app", { code: "123456" }, s.headers, "PUT");
    expect([wrong.res.status, wrong.body.code]).toEqual([400, "VALIDATION_FAILED"]);
    expect((await signIn(email)).status).toBe(200); // pending, not on
  });

  it("the operator's reset-mfa removes a lost app, recorded as the system's act naming the member", async () => {
    const { email, session } = await memberWithApp();
    expect(await resetTeamMfa({ db: gw.db, events: gw.app.events }, email)).toBe(true);
    const memberId = (session.body.member as { id: string }).id;
    const reset = await lastEvent("B");
    expect(reset).toMatchObject({ type: "team.mfa_reset", actorKind: "SYSTEM", teamMemberId: null });
    expect(reset.data).toMatchObject({ teamMemberId: memberId });
    expect((await signIn(email)).status).toBe(200);
    expect(await resetTeamMfa({ db: gw.db, events: gw.app.events }, email)).toBe(false);
  });
});

describe("console password change", () => {
  it("needs the current password and the policy; then other sessions end and only the new password signs in", async () => {
    const email = await addMember(gw);
    const here = await signIn(email);
    const elsewhere = await signIn(email);
    const change = (currentPassword: string, newPassword: string) =>
      post("/console/account/password", { currentPassword, newPassword }, here.headers);
    const wrong = await change("not the console password", NEW_PASSWORD);
    expect([wrong.res.status, wrong.body.code]).toEqual([403, "INVALID_CREDENTIALS"]);
    for (const weak of ["short", "password1234"]) {
      const refused = await change(TEAM_PASSWORD, weak);
      expect([refused.res.status, refused.body.code]).toEqual([400, "VALIDATION_FAILED"]);
      expect(refused.body.issues).toEqual([expect.objectContaining({ field: "newPassword" })]);
    }
    expect((await signIn(email)).status).toBe(200); // nothing changed

    const changed = await change(TEAM_PASSWORD, NEW_PASSWORD);
    expect([changed.res.status, changed.body]).toEqual([200, { sessionsEnded: 2 }]);
    expect(await lastEvent("A")).toMatchObject({
      type: "team.password_changed",
      actorKind: "ADMIN",
      data: expect.objectContaining({ sessionsEnded: 2 }),
    });
    expect((await fetch(url("/console/session"), { headers: { cookie: elsewhere.headers.cookie } })).status).toBe(401);
    expect((await fetch(url("/console/session"), { headers: { cookie: here.headers.cookie } })).status).toBe(200);
    const revoked = await gw.db.adminCredential.findUniqueOrThrow({ where: { keyId: elsewhere.stores[0]!.keyId } });
    expect(revoked.revokedAt).not.toBeNull();
    expect((await signIn(email)).status).toBe(401);
    expect((await signIn(email, NEW_PASSWORD)).status).toBe(200);
  });

  it("refuses requests without the CSRF token, without a live session, and malformed bodies", async () => {
    const email = await addMember(gw);
    const s = await signIn(email);
    const body = { currentPassword: TEAM_PASSWORD, newPassword: NEW_PASSWORD };
    expect((await post("/console/account/password", body, { cookie: s.headers.cookie })).res.status).toBe(403);
    expect((await post("/console/account/password", body, { ...s.headers, "x-csrf-token": "x".repeat(43) })).res.status).toBe(403);
    expect((await post("/console/account/password", { currentPassword: 1 }, s.headers)).res.status).toBe(400);
    expect((await post("/console/account/nothing", body, s.headers)).res.status).toBe(404);
    await fetch(url("/console/session"), { method: "DELETE", headers: s.headers });
    const ended = await post("/console/account/password", body, s.headers);
    expect([ended.res.status, ended.body.code]).toEqual([401, "UNAUTHENTICATED"]);
    expect((await signIn(email)).status).toBe(200); // the password did not change
  });
});

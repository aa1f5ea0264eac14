import { randomInt } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import type { App } from "../src/app.ts";
import { ConfigError, loadConfig } from "../src/config.ts";
import { ForgotPasswordDocument, MeDocument, RevokeSessionDocument, VerifyEmailDocument } from "./generated/graphql.ts";
import { PASSWORD, type TestGateway } from "./helpers/gateway.ts";
import { customerMaker } from "./helpers/customers.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { rowId } from "./helpers/ids.ts";
import { auditTrail } from "./helpers/snapshot.ts";
import { subscribeAudit } from "./helpers/subscriber.ts";
import { createCustomer } from "../src/customers/service.ts";

const REDIS_URL = process.env.REDIS_URL;

// Client IPs come from X-Forwarded-For (TRUST_PROXY=true); each test takes a fresh one, so that
// limits never leak from one test (or, through Redis, from one run) into the next.
const freshIp = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

interface Raw {
  status: number;
  retryAfter: string | null;
  body: {
    data?: Record<string, { __typename: string; retryAfter?: number; code?: string }>;
    errors?: { extensions?: Record<string, unknown> }[];
  };
}

/** One POST through a node's HTTP handler, with the raw status and Retry-After header. */
async function post(app: App, query: string, headers: Record<string, string>, variables?: Record<string, unknown>): Promise<Raw> {
  const response = await app.yoga.fetch("http://gateway.test/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: await response.json() };
}

const SIGN_IN = `mutation ($identifier: String!, $password: String!) { signIn(identifier: $identifier, password: $password) { __typename ... on RateLimitedError { retryAfter } } }`;
const aliased = (field: string, count: number, args: (i: number) => string, selection: string) =>
  `mutation { ${Array.from({ length: count }, (_, i) => `a${i}: ${field}(${args(i)}) { __typename ${selection} }`).join(" ")} }`;
const typenames = (raw: Raw) => Object.values(raw.body.data ?? {}).map((r) => r.__typename);
const securityEvents = async (gw: TestGateway, kind: string) => {
  await gw.app.security.settled();
  return (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type === `security.${kind}`);
};

describe("configuration", () => {
  it("reads limits as points/seconds and stops start-up naming a bad one", () => {
    expect(loadConfig({}).rateLimits.signInPerIp).toEqual({ points: 60, seconds: 60 });
    expect(loadConfig({ RATE_LIMIT_RECOVERY_PER_TARGET: "3/600" }).rateLimits.recoveryPerTarget).toEqual({ points: 3, seconds: 600 });
    for (const bad of ["lots", "10", "0/60", "10/0", "-1/60"]) {
      expect(() => loadConfig({ RATE_LIMIT_SIGN_IN_PER_IP: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ RATE_LIMIT_SIGN_IN_PER_IP: bad })).toThrow(/RATE_LIMIT_SIGN_IN_PER_IP: must be "points\/seconds"/);
    }
    expect(() => loadConfig({ SIGN_IN_MAX_DELAY_SECONDS: "soon" })).toThrow(/SIGN_IN_MAX_DELAY_SECONDS/);
  });
});

describe("rate limits (defaults)", () => {
  const gw = useTestGateway({ env: { TRUST_PROXY: "true" } });
  const publicFrom = (ip: string) => ({ "x-tenant": gw.tenants.A.slug, "x-forwarded-for": ip });

  const customer = customerMaker(gw, "limited");

  // Alias counts stay below graphql-armor's default maxAliases (15), which refuses bigger bombs
  // before they run; what is tested here is that the aliases that do run count one by one.
  it("runs no more of 14 aliased signIns for one identifier than the limits allow; the rest answer RATE_LIMITED with retryAfter, and the response is 429 with Retry-After", async () => {
    const c = await customer();
    const raw = await post(
      gw.app,
      aliased("signIn", 14, (i) => `identifier: "${c.email}", password: "guess-${i}"`, "... on RateLimitedError { retryAfter }"),
      publicFrom(freshIp()),
    );
    const ran = typenames(raw).filter((t) => t === "AuthenticationError").length;
    expect(ran).toBeGreaterThan(0);
    expect(ran).toBeLessThanOrEqual(10);
    expect(typenames(raw).filter((t) => t === "RateLimitedError")).toHaveLength(14 - ran);
    expect(Object.values(raw.body.data!).at(-1)!.retryAfter).toBeGreaterThanOrEqual(1);
    expect(raw.status).toBe(429);
    expect(Number(raw.retryAfter)).toBeGreaterThanOrEqual(1);
    const failures = (await auditTrail(gw.db, gw.tenants.A.id)).filter(
      (e) => e.type === "customer.sign_in_failed" && e.customerId === rowId(c.id),
    );
    expect(failures).toHaveLength(ran);
  });

  it("answers 429s to 100 parallel sign-ins from one IP, and the flood writes one security.rate_limited audit event, not one per attempt", async () => {
    const ip = freshIp();
    const before = (await securityEvents(gw, "rate_limited")).length;
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        post(gw.app, SIGN_IN, publicFrom(ip), { identifier: `stuffing-${i}@example.com`, password: "hunter22" }),
      ),
    );
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(40);
    for (const a of limited) expect(a.body.data!.signIn).toMatchObject({ __typename: "RateLimitedError", retryAfter: expect.any(Number) });
    const events = (await securityEvents(gw, "rate_limited")).slice(before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ ip, data: { field: "signIn", limit: "signInPerIp", key: ip, summaryWindowSeconds: 60 } });
    // Another IP is not affected.
    expect((await post(gw.app, SIGN_IN, publicFrom(freshIp()), { identifier: "someone@example.com", password: "hunter22" })).status).toBe(
      200,
    );
  });

  it("trips the per-IP limit for credential stuffing at one guess per account across many accounts", async () => {
    const ip = freshIp();
    const accounts = await Promise.all(Array.from({ length: 3 }, () => customer()));
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) {
      const identifier = i < accounts.length ? accounts[i].email : `user-${i}@example.com`;
      statuses.push((await post(gw.app, SIGN_IN, publicFrom(ip), { identifier, password: "Summer2026!" })).status);
    }
    expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
    expect(statuses[60]).toBe(429);
  });

  it("lets 14 aliased changePasswords try no more than the throttle allows, counts them toward the sign-in throttle, and never ends the session", async () => {
    const c = await customer();
    const ip = freshIp();
    const { accessToken } = await gw.signIn(c.email, PASSWORD);
    const headers = { authorization: `Bearer ${accessToken}`, "x-forwarded-for": ip };
    const raw = await post(
      gw.app,
      aliased("changePassword", 14, (i) => `currentPassword: "guess-${i}", newPassword: "a new passphrase ${i}"`, ""),
      headers,
    );
    const answers = typenames(raw);
    expect(answers.filter((t) => t === "AuthenticationError")).toHaveLength(4);
    expect(answers.filter((t) => t === "RateLimitedError")).toHaveLength(10);
    expect(raw.status).toBe(429);
    // The same account's sign-in waits too, even with the right password, from the same IP.
    const signIn = await post(gw.app, SIGN_IN, publicFrom(ip), { identifier: c.email, password: PASSWORD });
    expect(signIn.body.data!.signIn.__typename).toBe("RateLimitedError");
    expect((await gw.gql(MeDocument, {}, { bearer: accessToken })).status).toBe(200);
  });

  it("throttles formatting variants of one phone number as one identifier", async () => {
    const ip = freshIp();
    const variants = ["+49 30 5550001", "+49-30-5550001", "+49 (30) 5550001", "+4930 555 0001", "+49.30.5550001"];
    const answers = [];
    for (const identifier of variants)
      answers.push((await post(gw.app, SIGN_IN, publicFrom(ip), { identifier, password: "hunter22" })).body.data!.signIn.__typename);
    expect(answers).toEqual([
      "AuthenticationError",
      "AuthenticationError",
      "AuthenticationError",
      "AuthenticationError",
      "RateLimitedError",
    ]);
  });

  it("limits forgotPassword per identifier the same way for existing and unknown ones, and verifyEmail per token", async () => {
    const c = await customer();
    const ip = freshIp();
    const forgot = async (identifier: string) =>
      (await gw.gql(ForgotPasswordDocument, { identifier }, { tenant: gw.tenants.A.slug, headers: { "x-forwarded-for": ip } })).data!
        .forgotPassword;
    for (const identifier of [c.email, "nobody-forgot@example.com"]) {
      for (let i = 0; i < 5; i++) expect((await forgot(identifier)).__typename).toBe("ForgotPasswordPayload");
      expect(await forgot(identifier)).toMatchObject({
        __typename: "RateLimitedError",
        code: "RATE_LIMITED",
        retryAfter: expect.any(Number),
      });
    }
    expect(await gw.db.oneTimeToken.count({ where: { customerId: rowId(c.id) } })).toBe(5);
    const token = "A".repeat(43);
    const verify = () => gw.gql(VerifyEmailDocument, { token }, { tenant: gw.tenants.A.slug, headers: { "x-forwarded-for": freshIp() } });
    for (let i = 0; i < 5; i++) expect((await verify()).data!.verifyEmail.__typename).toBe("AuthenticationError");
    const limited = await verify();
    expect([limited.status, limited.data!.verifyEmail.__typename]).toEqual([429, "RateLimitedError"]);
  });
});

describe("admin traffic", () => {
  const gw = useTestGateway({ env: { RATE_LIMIT_ADMIN_PER_CREDENTIAL: "5/60" } });

  it("counts every root field per credential, aliases included; over it the operation answers one RATE_LIMITED error with retryAfter and HTTP 429", async () => {
    const four = `{ a: currentAdmin { keyId } b: currentAdmin { keyId } c: currentAdmin { keyId } d: currentAdmin { keyId } }`;
    expect((await post(gw.app, four, gw.tenants.A.headers)).status).toBe(200);
    const over = await post(gw.app, `{ a: currentAdmin { keyId } b: currentAdmin { keyId } }`, gw.tenants.A.headers);
    expect(over.status).toBe(429);
    expect(Number(over.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(over.body.data).toBeUndefined();
    expect(over.body.errors).toMatchObject([{ extensions: { code: "RATE_LIMITED", retryAfter: expect.any(Number) } }]);
    expect((await post(gw.app, four, gw.tenants.B.headers)).status).toBe(200);
    expect(await securityEvents(gw, "rate_limited")).toMatchObject([
      { actorKind: "ADMIN", data: { limit: "adminPerCredential", keyId: gw.tenants.A.keyId } },
    ]);
  });

  it("counts a subscription once, when it subscribes, not once per event it delivers", async () => {
    const url = await gw.listen();
    const sub = subscribeAudit(url, gw.tenants.B.headers, { after: "0" });
    try {
      // Tenant B's trail: two setup events, then twelve more written outside the API — more
      // events than the credential's 5 points a minute.
      const ctx = gw.serviceContext("B");
      for (let i = 0; i < 12; i++) await createCustomer(ctx, { username: `subscribed-${i}` });
      await sub.waitFor(14);
      expect(sub.errors).toEqual([]);
    } finally {
      await sub.close();
    }
  });
});

describe("failed authentication", () => {
  const gw = useTestGateway();

  it("logs every wrong secret, unknown key and refused bearer token, and audits them once per window to the tenant concerned, never with the secret", async () => {
    const warn = vi.spyOn(gw.app.logger, "warn");
    const wrongSecret = { "x-api-key": gw.tenants.A.keyId, "x-api-secret": "sk_not-the-secret" };
    for (let i = 0; i < 3; i++) expect((await post(gw.app, "{ currentAdmin { keyId } }", wrongSecret)).status).toBe(401);
    expect((await post(gw.app, "{ currentAdmin { keyId } }", { "x-api-key": "ak_nope", "x-api-secret": "sk_nope" })).status).toBe(401);
    const events = await securityEvents(gw, "admin_auth_failed");
    expect(events).toMatchObject([
      { data: { scheme: "api_key", reason: "wrong_secret", keyId: gw.tenants.A.keyId, credentialId: gw.tenants.A.credentialId } },
    ]);
    const lines = warn.mock.calls.map(([fields]) => fields as Record<string, unknown>).filter((f) => f.security === "admin_auth_failed");
    expect(lines.map((l) => l.reason)).toEqual(["wrong_secret", "wrong_secret", "wrong_secret", "unknown_key"]);
    expect(JSON.stringify([events.map((e) => e.data), warn.mock.calls])).not.toMatch(/sk_not-the-secret|sk_nope/);

    // A bearer token whose session was revoked: its tenant is known (the signature checked out).
    const signedIn = (await gw.createSignedInCustomer({ emails: [{ address: "bearer@example.com" }] })).tokens;
    await gw.gql(RevokeSessionDocument, { id: signedIn.sessionId });
    expect((await gw.gql(MeDocument, {}, { bearer: signedIn.accessToken })).status).toBe(401);
    expect((await gw.gql(MeDocument, {}, { bearer: "forged.token.here" })).status).toBe(401);
    expect((await securityEvents(gw, "admin_auth_failed")).at(-1)).toMatchObject({ data: { scheme: "bearer", reason: "session_ended" } });
    const bearerLines = warn.mock.calls.map(([fields]) => fields as Record<string, unknown>).filter((f) => f.scheme === "bearer");
    expect(bearerLines.map((l) => l.reason)).toEqual(["session_ended", "invalid_or_expired"]);
    expect(JSON.stringify(warn.mock.calls)).not.toContain(signedIn.accessToken);
  });
});

describe.skipIf(!REDIS_URL)("limits across gateway nodes via Redis", () => {
  const gw = useTestGateway({ redisUrl: REDIS_URL, env: { TRUST_PROXY: "true", RATE_LIMIT_SIGN_IN_PER_IP: "10/60" } });

  it("holds one IP's sign-in budget across two nodes sharing Redis", async () => {
    const other = await gw.addNode();
    const headers = { "x-tenant": gw.tenants.A.slug, "x-forwarded-for": freshIp() };
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const node = i % 2 ? other : gw.app;
      statuses.push((await post(node, SIGN_IN, headers, { identifier: `node-${i}@example.com`, password: "hunter22" })).status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it("makes the throttle's wait, started by failures on one node, hold on the other", async () => {
    const other = await gw.addNode();
    const email = `redis-throttle-${randomInt(1e9)}@example.com`;
    await gw.createCustomerWithPassword({ emails: [{ address: email }] });
    const headers = { "x-tenant": gw.tenants.A.slug, "x-forwarded-for": freshIp() };
    for (let i = 0; i < 4; i++)
      expect((await post(gw.app, SIGN_IN, headers, { identifier: email, password: `wrong-${i}` })).status).toBe(200);
    const there = await post(other, SIGN_IN, headers, { identifier: email, password: PASSWORD });
    expect([there.status, there.body.data!.signIn.__typename]).toEqual([429, "RateLimitedError"]);
  });
});

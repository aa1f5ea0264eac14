import { describe, expect, it } from "vitest";
import { verifyAuditChain } from "../src/audit/chain.ts";
import type { AdminScope } from "../src/generated/prisma/enums.ts";
import { disableTeamMember, grantStore } from "../src/team/service.ts";
import { addMember, TEAM_PASSWORD } from "./helpers/console.ts";
import { auditTrail } from "./helpers/snapshot.ts";
import { useTestGateway } from "./helpers/suite.ts";

// Team members sign in to the console at /console/session (real HTTP): an httpOnly SameSite=Strict
// cookie plus a CSRF token; each granted store gets a session credential whose every event names
// the member. The cookie alone authorizes nothing.

const gw = useTestGateway({ listen: true });
const PASSWORD = TEAM_PASSWORD;
let n = 0;
const member = (scopes?: AdminScope[], stores?: ("A" | "B")[]) => addMember(gw, scopes, stores);

const sessionUrl = () => gw.url.replace(/\/graphql$/, "/console/session");

async function signIn(email: string, password = PASSWORD, headers: Record<string, string> = {}) {
  const res = await fetch(sessionUrl(), {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ email, password }),
  });
  const body = (await res.json()) as {
    code?: string;
    csrfToken: string;
    member: { id: string; name: string };
    stores: { keyId: string; tenantId: string; scopes: string[] }[];
  };
  const cookie = res.headers.get("set-cookie") ?? "";
  return { res, body, cookie, pair: cookie.split(";")[0]! };
}

/** Console headers for a store: the cookie, the CSRF token, the store's key id. */
const consoleHeaders = (s: Awaited<ReturnType<typeof signIn>>, store = 0) => ({
  cookie: s.pair,
  "x-csrf-token": s.body.csrfToken,
  "x-console-store": s.body.stores[store]!.keyId,
});

async function graphql(query: string, headers: Record<string, string>, variables: Record<string, unknown> = {}) {
  const res = await fetch(gw.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Record<string, unknown>; errors?: { extensions?: { code?: string } }[] };
}

const BLOCK = `mutation ($id: ID!) { blockCustomer(id: $id, reason: "console") { __typename ... on Error { code } } }`;
const codes = (r: { errors?: { extensions?: { code?: string } }[] }) => r.errors?.map((e) => e.extensions?.code);

describe("console sign-in", () => {
  it("sets an httpOnly SameSite=Strict cookie and answers the member, a CSRF token and the granted stores only", async () => {
    const email = await member();
    const s = await signIn(email);
    expect(s.res.status).toBe(200);
    expect(s.cookie).toMatch(/^gateway_console=[A-Za-z0-9_-]{43}; Max-Age=43\d{3}; Path=\/; HttpOnly; SameSite=Strict$/);
    expect(s.body.stores).toEqual([expect.objectContaining({ tenantId: gw.tenants.A.id, slug: gw.tenants.A.slug })]);
    expect(s.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const signedIn = (await auditTrail(gw.db, gw.tenants.A.id)).at(-1)!;
    expect(signedIn).toMatchObject({ type: "console.signed_in", actorKind: "ADMIN", teamMemberId: s.body.member.id });
    expect((await auditTrail(gw.db, gw.tenants.B.id)).some((e) => e.type === "console.signed_in")).toBe(false);

    const who = await fetch(sessionUrl(), { headers: { cookie: s.pair } });
    expect(await who.json()).toEqual(s.body);
  });

  it("answers the same 401 for a wrong password and an unknown email, then 429 with Retry-After", async () => {
    const email = await member();
    const wrong = await signIn(email, "not the password at all");
    const unknown = await signIn("nobody@team.example");
    expect([wrong.res.status, unknown.res.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body.code).toBe("INVALID_CREDENTIALS");
    expect(wrong.cookie).toBe("");
    let last = wrong;
    for (let i = 0; i < 4 && last.res.status !== 429; i++) last = await signIn(email, "still not it");
    expect(last.res.status).toBe(429);
    expect(Number(last.res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await signIn(email)).res.status).toBe(429); // even the right password waits
  });

  it("refuses a sign-in posted from another origin, malformed bodies and a disabled member", async () => {
    const email = await member();
    expect((await signIn(email, PASSWORD, { origin: "http://evil.example" })).res.status).toBe(403);
    const garbage = await fetch(sessionUrl(), { method: "POST", body: "email=x" });
    expect(garbage.status).toBe(400);
    await disableTeamMember({ db: gw.db, events: gw.app.events }, email);
    expect((await signIn(email)).res.status).toBe(401);
  });
});

describe("console requests", () => {
  it("act as the store's admin with the member's scopes, and every event names the member", async () => {
    const email = await member();
    const s = await signIn(email);
    const customer = await gw.createCustomer({ emails: [{ address: `console-${n++}@example.com` }] });
    const blocked = await graphql(BLOCK, consoleHeaders(s), { id: customer.id });
    expect(blocked.data?.blockCustomer).toEqual({ __typename: "BlockCustomerPayload" });
    const credential = await gw.db.adminCredential.findUniqueOrThrow({ where: { keyId: s.body.stores[0]!.keyId } });
    expect(credential).toMatchObject({ teamMemberId: s.body.member.id, name: `console: ${s.body.member.name}` });
    expect((await auditTrail(gw.db, gw.tenants.A.id)).at(-1)).toMatchObject({
      type: "customer.blocked",
      actorKind: "ADMIN",
      actorId: credential.id,
      teamMemberId: s.body.member.id,
    });

    const teamLog = async (filter: string) => {
      const query = `{ auditEvents(filter: ${filter}, first: 50) { edges { node { type teamMember { id name } } } } }`;
      const log = await graphql(query, gw.tenants.A.headers);
      return (log.data!.auditEvents as { edges: { node: { type: string; teamMember: { id: string; name: string } | null } }[] }).edges.map(
        (e) => e.node,
      );
    };
    expect(await teamLog(`{teamMemberId: "${s.body.member.id}"}`)).toEqual(
      ["customer.blocked", "console.signed_in"].map((type) => ({
        type,
        teamMember: { id: s.body.member.id, name: s.body.member.name },
      })),
    );
    const inB = await graphql(
      `{ auditEvents(filter: {teamMemberId: "${s.body.member.id}"}) { edges { node { type } } } }`,
      gw.tenants.B.headers,
    );
    expect(inB.data?.auditEvents).toEqual({ edges: [] }); // the member acted in A only
    const all = await teamLog("{teamActions: true}");
    expect(all.length).toBeGreaterThan(2);
    expect(all.every((e) => e.teamMember !== null)).toBe(true); // customer.created by the API key is not in it
    expect(await verifyAuditChain(gw.db, gw.tenants.A.id)).toMatchObject({ problem: null });
  });

  it("refuse a missing or wrong CSRF token, a cookie alone, another session's store and an API key id", async () => {
    const [s, other] = [await signIn(await member()), await signIn(await member())];
    const tenant = `{ currentTenant { slug } }`;
    expect((await graphql(tenant, consoleHeaders(s))).data?.currentTenant).toEqual({ slug: gw.tenants.A.slug });
    const tries = [
      { ...consoleHeaders(s), "x-csrf-token": "" },
      { ...consoleHeaders(s), "x-csrf-token": other.body.csrfToken },
      { ...consoleHeaders(s), "x-console-store": other.body.stores[0]!.keyId },
      { ...consoleHeaders(s), "x-console-store": gw.tenants.A.keyId },
    ];
    for (const headers of tries) expect(codes(await graphql(tenant, headers))).toEqual(["UNAUTHENTICATED"]);
    expect(codes(await graphql(tenant, { cookie: s.pair }))).toEqual(["UNAUTHENTICATED"]); // no admin without the store header
  });

  it("hold the member's scopes, changed live by a new grant", async () => {
    const email = await member(["CUSTOMERS_READ"]);
    const s = await signIn(email);
    const customer = await gw.createCustomer({ emails: [{ address: `scoped-${n++}@example.com` }] });
    expect(codes(await graphql(BLOCK, consoleHeaders(s), { id: customer.id }))).toEqual(["FORBIDDEN"]);
    await grantStore(gw.db, email, gw.tenants.A.id, ["CUSTOMERS_READ", "CUSTOMERS_WRITE"]);
    expect((await graphql(BLOCK, consoleHeaders(s), { id: customer.id })).data?.blockCustomer).toEqual({
      __typename: "BlockCustomerPayload",
    });
  });

  it("end with sign-out (CSRF required) and with the member's disabling, revoking the session's credentials", async () => {
    const email = await member(undefined, ["A", "B"]);
    const s = await signIn(email);
    expect(s.body.stores).toHaveLength(2);
    expect((await fetch(sessionUrl(), { method: "DELETE", headers: { cookie: s.pair } })).status).toBe(403);
    const out = await fetch(sessionUrl(), { method: "DELETE", headers: { cookie: s.pair, "x-csrf-token": s.body.csrfToken } });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/^gateway_console=; Max-Age=0;/);
    expect(
      codes(
        await graphql(
          `
            {
              currentTenant {
                slug
              }
            }
          `,
          consoleHeaders(s, 1),
        ),
      ),
    ).toEqual(["UNAUTHENTICATED"]);
    expect((await fetch(sessionUrl(), { headers: { cookie: s.pair } })).status).toBe(401);
    for (const tenant of [gw.tenants.A, gw.tenants.B]) {
      expect((await auditTrail(gw.db, tenant.id)).at(-1)).toMatchObject({ type: "credential.revoked", teamMemberId: s.body.member.id });
    }

    const again = await signIn(email);
    expect(await disableTeamMember({ db: gw.db, events: gw.app.events }, email)).toBe(1);
    expect(
      codes(
        await graphql(
          `
            {
              currentTenant {
                slug
              }
            }
          `,
          consoleHeaders(again),
        ),
      ),
    ).toEqual(["UNAUTHENTICATED"]);
  });
});

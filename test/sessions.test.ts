import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createCredential } from "../src/admin-auth/service.ts";
import type { ServiceContext } from "../src/service-context.ts";
import { createSession, revokeSession, type CreateSessionInput } from "../src/sessions/service.ts";
import {
  BlockCustomerDocument,
  DisableCustomerDocument,
  EnableCustomerDocument,
  MeDocument,
  UnblockCustomerDocument,
  CustomerDocument,
  CustomerSessionsDocument,
  DeleteCustomerDocument,
  RevokeAllSessionsDocument,
  RevokeSessionDocument,
  SessionNodeDocument,
} from "./generated/graphql.ts";
import { PASSWORD } from "./helpers/gateway.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { globalId, rowId } from "./helpers/ids.ts";
import { auditTrail, expectNoWrites } from "./helpers/snapshot.ts";

const FIREFOX_UBUNTU = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
const SAFARI_IPAD =
  "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1";

const gw = useTestGateway();
let adminA: ServiceContext;
let credentialA: string;
beforeAll(async () => {
  credentialA = gw.tenants.A.credentialId;
  adminA = gw.serviceContext("A");
});

let customers = 0;
async function customer() {
  return (await gw.createCustomer({ emails: [{ address: `sessions-${++customers}@example.com` }] })).id;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a session through the service (sign-in will call it); returns its global ID. */
async function session(customerId: string, input: CreateSessionInput = { ip: "203.0.113.7", userAgent: FIREFOX_UBUNTU }) {
  const row = await createSession(adminA, rowId(customerId), input);
  await sleep(2); // distinct createdAt (millisecond precision) keeps "newest first" deterministic
  return globalId("Session", row.id);
}

async function expire(sessionId: string) {
  await gw.db.session.update({ where: { id: rowId(sessionId) }, data: { expiresAt: new Date(Date.now() - 1000) } });
}

async function listSessions(customerId: string, active?: boolean) {
  const res = await gw.gql(CustomerSessionsDocument, { id: customerId, active });
  return res.data!.customer!.sessions;
}

describe("createSession", () => {
  it("stores the parsed user agent, the coarse location and a 30-day lifetime, and records session.created", async () => {
    const c = await customer();
    const id = await session(c, { ip: "2001:db8::1", userAgent: FIREFOX_UBUNTU, geo: { country: "de", region: "Berlin", city: "Berlin" } });
    const [node] = (await listSessions(c)).edges.map((e) => e.node);
    expect(node).toMatchObject({
      id,
      active: true,
      revokedAt: null,
      ip: "2001:db8::1",
      userAgent: FIREFOX_UBUNTU,
      browser: "Firefox 120",
      os: "Ubuntu",
      device: "desktop",
      geo: { country: "DE", region: "Berlin", city: "Berlin" },
      customer: { id: c },
    });
    expect(Date.parse(node.expiresAt) - Date.parse(node.createdAt)).toBe(30 * 24 * 3600 * 1000);
    expect(node.lastSeenAt).toBe(node.createdAt);
    const last = (await auditTrail(gw.db, gw.tenants.A.id)).at(-1)!;
    expect(last).toMatchObject({ type: "session.created", customerId: rowId(c), actorKind: "ADMIN", actorId: credentialA });
    expect(last.data).toMatchObject({ sessionId: rowId(id), ip: "2001:db8::1", browser: "Firefox 120", os: "Ubuntu", device: "desktop" });
  });

  it("tells phones from tablets, honours ttlSeconds and leaves unknown agents and locations empty", async () => {
    const c = await customer();
    await session(c, { userAgent: SAFARI_IPHONE, ttlSeconds: 3600 });
    await session(c, { userAgent: SAFARI_IPAD });
    await session(c, { userAgent: "curl/8.4.0" });
    const [curl, ipad, iphone] = (await listSessions(c)).edges.map((e) => e.node);
    expect(iphone).toMatchObject({ browser: "Mobile Safari 17", os: "iOS 17.1", device: "mobile", ip: null, geo: null });
    expect(Date.parse(iphone.expiresAt) - Date.parse(iphone.createdAt)).toBe(3600 * 1000);
    expect(ipad).toMatchObject({ browser: "Mobile Safari 16", os: "iOS 16.6", device: "tablet" });
    expect(curl).toMatchObject({ userAgent: "curl/8.4.0", browser: null, os: null, device: null });
  });

  it("rejects a malformed ip, country or lifetime with VALIDATION_FAILED naming each field, and writes nothing", async () => {
    const c = await customer();
    const error = await expectNoWrites(gw.db, () =>
      createSession(adminA, rowId(c), { ip: "300.1.1.1", ttlSeconds: 0, geo: { country: "Germany" } }).catch((e: unknown) => e),
    );
    expect(error).toMatchObject({ code: "VALIDATION_FAILED" });
    expect((error as { issues: { field: string }[] }).issues.map((i) => i.field).sort()).toEqual(["geo.country", "ip", "ttlSeconds"]);
  });

  it("answers CUSTOMER_NOT_FOUND for an unknown customer or one of another tenant, and writes nothing", async () => {
    const c = await customer();
    const asB = gw.serviceContext("B");
    for (const [ctx, id] of [
      [adminA, randomUUID()],
      [adminA, "not-a-uuid"],
      [asB, rowId(c)],
    ] as const) {
      await expectNoWrites(gw.db, () =>
        expect(createSession(ctx, id, { userAgent: FIREFOX_UBUNTU })).rejects.toMatchObject({ code: "CUSTOMER_NOT_FOUND" }),
      );
    }
  });
});

describe("Customer.sessions", () => {
  it("lists sessions newest first in pages, and active: true keeps only live ones while active: false keeps the ended ones", async () => {
    const c = await customer();
    const expired = await session(c);
    const revoked = await session(c);
    const live = await session(c);
    await expire(expired);
    await revokeSession(adminA, rowId(revoked));

    const all = await listSessions(c);
    expect(all.totalCount).toBe(3);
    expect(all.edges.map((e) => [e.node.id, e.node.active])).toEqual([
      [live, true],
      [revoked, false],
      [expired, false],
    ]);
    const liveOnly = await listSessions(c, true);
    expect([liveOnly.totalCount, liveOnly.edges.map((e) => e.node.id)]).toEqual([1, [live]]);
    const ended = await listSessions(c, false);
    expect([ended.totalCount, ended.edges.map((e) => e.node.id)]).toEqual([2, [revoked, expired]]);

    const page1 = (await gw.gql(CustomerSessionsDocument, { id: c, first: 2 })).data!.customer!.sessions;
    expect(page1.edges.map((e) => e.node.id)).toEqual([live, revoked]);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const page2 = (await gw.gql(CustomerSessionsDocument, { id: c, first: 2, after: page1.pageInfo.endCursor })).data!.customer!.sessions;
    expect(page2.edges.map((e) => e.node.id)).toEqual([expired]);
    expect(page2.pageInfo.hasNextPage).toBe(false);
  });

  it("loads a customer with its sessions, their count and their customer in one statement however many sessions there are", async () => {
    const few = await customer();
    const many = await customer();
    await session(few);
    for (let i = 0; i < 5; i++) await session(many);
    // Authentication may touch the credential's lastUsedAt (once a minute): leave that out.
    const count = async (id: string) => {
      gw.statements.reset();
      await gw.gql(CustomerSessionsDocument, { id });
      return gw.statements.sql.filter((sql) => !sql.includes("admin_credential")).length;
    };
    expect(await count(few)).toBe(1);
    expect(await count(many)).toBe(1);
  });

  it("resolves a session by its global ID through node()", async () => {
    const c = await customer();
    const id = await session(c);
    const res = await gw.gql(SessionNodeDocument, { id });
    expect(res.data!.node).toEqual({ __typename: "Session", id, active: true, customer: { id: c } });
  });
});

describe("revokeSession", () => {
  it("ends one session, stamps who revoked it and records session.revoked", async () => {
    const c = await customer();
    const keep = await session(c);
    const id = await session(c);
    const res = await gw.gql(RevokeSessionDocument, { id });
    const payload = res.data!.revokeSession;
    if (payload.__typename !== "RevokeSessionPayload") throw new Error(JSON.stringify(payload));
    expect(payload.session).toMatchObject({ id, active: false, customer: { id: c } });
    expect(payload.session.revokedAt).not.toBeNull();
    const row = await gw.db.session.findUniqueOrThrow({ where: { id: rowId(id) } });
    expect(row.revokedBy).toBe(`admin:${credentialA}`);
    expect((await listSessions(c, true)).edges.map((e) => e.node.id)).toEqual([keep]);
    const last = (await auditTrail(gw.db, gw.tenants.A.id)).at(-1)!;
    expect(last).toMatchObject({ type: "session.revoked", customerId: rowId(c), actorId: credentialA, data: { sessionId: rowId(id) } });
  });

  it("returns a session that already ended unchanged and writes nothing", async () => {
    const c = await customer();
    const revoked = await session(c);
    const expired = await session(c);
    await gw.gql(RevokeSessionDocument, { id: revoked });
    await expire(expired);
    for (const id of [revoked, expired]) {
      const res = await expectNoWrites(gw.db, () => gw.gql(RevokeSessionDocument, { id }));
      expect(res.data!.revokeSession).toMatchObject({ __typename: "RevokeSessionPayload", session: { id, active: false } });
    }
  });

  it("answers SESSION_NOT_FOUND for unknown, malformed and wrong-type ids, and writes nothing", async () => {
    const c = await customer();
    for (const id of [globalId("Session", randomUUID()), globalId("Session", "not-a-uuid"), "garbage", c]) {
      const res = await expectNoWrites(gw.db, () => gw.gql(RevokeSessionDocument, { id }));
      expect(res.data!.revokeSession).toMatchObject({ __typename: "NotFoundError", code: "SESSION_NOT_FOUND" });
    }
  });

  it("is refused to a credential without CUSTOMERS_WRITE", async () => {
    const c = await customer();
    const id = await session(c);
    const { credential, secret } = await createCredential(adminA, { name: "read only", scopes: ["CUSTOMERS_READ"] });
    const headers = { "x-api-key": credential.keyId, "x-api-secret": secret };
    const res = await expectNoWrites(gw.db, () => gw.gql(RevokeSessionDocument, { id }, { headers }));
    expect(res.errors?.[0].extensions?.code).toBe("FORBIDDEN");
    expect((await listSessions(c, true)).totalCount).toBe(1);
  });
});

describe("revokeAllSessions", () => {
  it("ends every active session of the customer at once and records one session.revoked_all with the count and ids", async () => {
    const c = await customer();
    const other = await customer();
    const live = [await session(c), await session(c), await session(c)];
    const revoked = await session(c);
    const expired = await session(c);
    const untouched = await session(other);
    await gw.gql(RevokeSessionDocument, { id: revoked });
    await expire(expired);
    const revokedBefore = await gw.db.session.findUniqueOrThrow({ where: { id: rowId(revoked) } });
    const seqBefore = (await auditTrail(gw.db, gw.tenants.A.id)).at(-1)!.seq;

    const res = await gw.gql(RevokeAllSessionsDocument, { customerId: c });
    expect(res.data!.revokeAllSessions).toEqual({
      __typename: "RevokeAllSessionsPayload",
      revokedCount: 3,
      customer: { id: c, sessions: { totalCount: 0 } },
    });

    const events = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.seq > seqBefore);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: "session.revoked_all", customerId: rowId(c), actorId: credentialA });
    expect(events[0].data).toEqual({ count: 3, sessionIds: live.map(rowId).sort() });

    const rows = await gw.db.session.findMany({ where: { id: { in: live.map(rowId) } } });
    expect(rows.map((r) => r.revokedBy)).toEqual([`admin:${credentialA}`, `admin:${credentialA}`, `admin:${credentialA}`]);
    expect(new Set(rows.map((r) => r.revokedAt!.getTime())).size).toBe(1);
    expect(await gw.db.session.findUniqueOrThrow({ where: { id: rowId(revoked) } })).toEqual(revokedBefore);
    expect((await gw.db.session.findUniqueOrThrow({ where: { id: rowId(expired) } })).revokedAt).toBeNull();
    expect((await listSessions(other, true)).edges.map((e) => e.node.id)).toEqual([untouched]);
  });

  it("answers revokedCount 0 and writes nothing when no session is active", async () => {
    const c = await customer();
    await expire(await session(c));
    const res = await expectNoWrites(gw.db, () => gw.gql(RevokeAllSessionsDocument, { customerId: c }));
    expect(res.data!.revokeAllSessions).toMatchObject({ __typename: "RevokeAllSessionsPayload", revokedCount: 0, customer: { id: c } });
  });

  it("answers CUSTOMER_NOT_FOUND for unknown, malformed and deleted customers, and writes nothing", async () => {
    const gone = await customer();
    await gw.gql(DeleteCustomerDocument, { id: gone });
    for (const customerId of [gone, globalId("Customer", randomUUID()), "garbage", globalId("Session", randomUUID())]) {
      const res = await expectNoWrites(gw.db, () => gw.gql(RevokeAllSessionsDocument, { customerId }));
      expect(res.data!.revokeAllSessions).toMatchObject({ __typename: "NotFoundError", code: "CUSTOMER_NOT_FOUND" });
    }
  });
});

describe("tenancy and deletion", () => {
  it("answers tenant B's credential with not found for tenant A's sessions and customers, and writes nothing", async () => {
    const c = await customer();
    const id = await session(c);
    const revoke = await expectNoWrites(gw.db, () => gw.gql(RevokeSessionDocument, { id }, "B"));
    expect(revoke.data!.revokeSession).toMatchObject({ __typename: "NotFoundError", code: "SESSION_NOT_FOUND" });
    const revokeAll = await expectNoWrites(gw.db, () => gw.gql(RevokeAllSessionsDocument, { customerId: c }, "B"));
    expect(revokeAll.data!.revokeAllSessions).toMatchObject({ __typename: "NotFoundError", code: "CUSTOMER_NOT_FOUND" });
    expect((await gw.gql(SessionNodeDocument, { id }, "B")).data!.node).toBeNull();
    expect((await gw.gql(CustomerSessionsDocument, { id: c }, "B")).data!.customer).toBeNull();
    expect((await listSessions(c, true)).totalCount).toBe(1);
  });

  it("deletes a customer's sessions with the customer", async () => {
    const c = await customer();
    const id = await session(c);
    await session(c);
    const res = await gw.gql(DeleteCustomerDocument, { id: c });
    expect(res.data!.deleteCustomer.__typename).toBe("DeleteCustomerPayload");
    expect(await gw.db.session.count({ where: { customerId: rowId(c) } })).toBe(0);
    expect((await gw.gql(SessionNodeDocument, { id })).data!.node).toBeNull();
    expect((await gw.gql(CustomerDocument, { id: c })).data!.customer).toBeNull();
  });
});

describe("blocking and disabling", () => {
  it("sign the customer out everywhere, so a token issued before the block stays dead after unblocking", async () => {
    for (const [stop, start] of [
      [
        (id: string) => gw.gql(BlockCustomerDocument, { id, reason: "chargeback" }),
        (id: string) => gw.gql(UnblockCustomerDocument, { id }),
      ],
      [(id: string) => gw.gql(DisableCustomerDocument, { id }), (id: string) => gw.gql(EnableCustomerDocument, { id })],
    ] as const) {
      const id = await customer();
      const email = (await gw.gql(CustomerDocument, { id })).data!.customer!.primaryEmail!;
      await gw.setPassword(id);
      const signedIn = await gw.signIn(email, PASSWORD);
      expect((await gw.gql(MeDocument, {}, { bearer: signedIn.accessToken })).status).toBe(200);

      await stop(id);
      const ended = await gw.db.session.findUniqueOrThrow({ where: { id: rowId(signedIn.sessionId) } });
      expect(ended.revokedAt).not.toBeNull();
      const [event] = (await auditTrail(gw.db, gw.tenants.A.id)).filter((e) => e.type === "session.revoked_all").slice(-1);
      expect(event).toMatchObject({ customerId: rowId(id), data: { count: 1, sessionIds: [rowId(signedIn.sessionId)] } });

      await start(id);
      expect((await gw.gql(MeDocument, {}, { bearer: signedIn.accessToken })).status).toBe(401);
    }
  });
});

import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { transact } from "../src/db/transact.ts";
import { ALL_SCOPES } from "../src/security/scopes.ts";
import { sharedExecutions } from "../src/graphql/shared-subscriptions.ts";
import { CreateAdminCredentialDocument, RevokeAdminCredentialDocument, UpdateCustomerDocument } from "./generated/graphql.ts";
import { issue, oneBack } from "./helpers/live-credentials.ts";
import { AUDIT_SUBSCRIPTION, subscribeAudit, subscribeSse } from "./helpers/subscriber.ts";
import { useTestGateway } from "./helpers/suite.ts";

// Live audit events are executed once per class of subscribers (same document, variables except
// `after`, tenant and scopes) and the same JSON goes to every socket of the class. Executions are
// counted on the diagnostics channel the executor publishes to for each one.

const WITH_CUSTOMER = `subscription ($filter: AuditEventFilter, $after: String) {
  auditEvents(filter: $filter, after: $after) { sequence cursor type customerId customer { id } }
}`;

const executions: unknown[] = [];
const count = (message: unknown) => void executions.push(message);
beforeAll(() => subscribe(sharedExecutions.name, count));
afterAll(() => void unsubscribe(sharedExecutions.name, count));

describe("executing live audit events once per class of subscribers", () => {
  const gw = useTestGateway({ listen: true });

  async function credential(name: string, scopes: string[]) {
    const res = await gw.gql(CreateAdminCredentialDocument, { name, scopes: scopes as never });
    const payload = res.data!.createAdminCredential;
    if (payload.__typename !== "CreateAdminCredentialPayload") throw new Error(JSON.stringify(res));
    return { headers: { "x-api-key": payload.issued.credential.keyId, "x-api-secret": payload.issued.secret } };
  }

  it("runs the selection once per event for every graphql-ws and SSE subscriber with the same document, variables and scopes, and sends each the same result", async () => {
    const sameScopes = await credential("same scopes, other credential", ALL_SCOPES);
    const from = await oneBack(gw);
    const sockets = [
      ...Array.from({ length: 4 }, () => subscribeAudit(gw.url, gw.tenants.A.headers, from, WITH_CUSTOMER)),
      subscribeAudit(gw.url, sameScopes.headers, from, WITH_CUSTOMER),
    ];
    const sse = await subscribeSse(gw.url, gw.tenants.A.headers, WITH_CUSTOMER, from);
    await Promise.all([...sockets.map((s) => s.waitFor(1)), sse.waitFor(1)]); // each replayed one: live now

    executions.length = 0;
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await gw.createCustomer({ emails: [{ address: `shared-${i}@example.com` }] })).id);
    await Promise.all([...sockets.map((s) => s.waitFor(4)), sse.waitFor(4)]);

    expect(executions).toHaveLength(3);
    const live = sockets[0].events.slice(1);
    expect(live.map((e) => (e as unknown as { customer: { id: string } }).customer.id)).toEqual(ids);
    for (const socket of sockets) expect(socket.events).toEqual(sockets[0].events);
    expect(sse.payloads.map((p) => p.data!.auditEvents)).toEqual(sockets[0].events);
    await Promise.all(sockets.map((s) => s.close()));
    sse.close();
  });

  it("gives subscribers with another selection, filter, scopes or tenant results of their own, filtering before executing", async () => {
    const narrower = await credential("audit and customers only", ["AUDIT_READ", "CUSTOMERS_READ"]);
    const { id } = await gw.createCustomer({ emails: [{ address: "classes@example.com" }] });
    await gw.createCustomer({ emails: [{ address: "classes-b@example.com" }] }, "B");
    const from = await oneBack(gw); // the customer.created just written
    const latestOfB = await gw.db.tenant.findUniqueOrThrow({ where: { id: gw.tenants.B.id } });
    const base = subscribeAudit(gw.url, gw.tenants.A.headers, from, WITH_CUSTOMER);
    const otherSelection = subscribeAudit(gw.url, gw.tenants.A.headers, from, AUDIT_SUBSCRIPTION);
    const filtered = subscribeAudit(gw.url, gw.tenants.A.headers, { ...from, filter: { types: ["customer.created"] } }, WITH_CUSTOMER);
    const otherScopes = subscribeAudit(gw.url, narrower.headers, from, WITH_CUSTOMER);
    const tenantB = subscribeAudit(gw.url, gw.tenants.B.headers, { after: String(latestOfB.auditSeq - 1n) }, WITH_CUSTOMER);
    const all = [base, otherSelection, filtered, otherScopes, tenantB];
    await Promise.all(all.map((s) => s.waitFor(1)));

    executions.length = 0;
    await gw.gql(UpdateCustomerDocument, { id, input: { nickname: "classy" } }); // not customer.created: filtered skips it
    const created = await gw.createCustomer({ emails: [{ address: "classes-2@example.com" }] });
    await Promise.all([base.waitFor(3), otherSelection.waitFor(3), otherScopes.waitFor(3), filtered.waitFor(2)]);

    // The update: base, otherSelection, otherScopes. The creation: the same three and filtered.
    expect(executions).toHaveLength(7);
    expect(filtered.events.map((e) => e.type)).toEqual(["customer.created", "customer.created"]);
    expect(otherScopes.events).toEqual(base.events);
    expect(otherSelection.events[2]).not.toHaveProperty("customer");
    expect((base.events[2] as unknown as { customer: { id: string } }).customer.id).toBe(created.id);
    expect(tenantB.events).toHaveLength(1);
    await Promise.all(all.map((s) => s.close()));
  });

  it("still refuses per type inside a shared class: a credential without CUSTOMERS_READ gets FORBIDDEN for the customer, one with it the customer", async () => {
    const auditOnly = await credential("audit only", ["AUDIT_READ"]);
    await gw.createCustomer({ emails: [{ address: "scoped@example.com" }] });
    const from = await oneBack(gw);
    const full = subscribeAudit(gw.url, gw.tenants.A.headers, from, WITH_CUSTOMER);
    const narrow = subscribeAudit(gw.url, auditOnly.headers, from, WITH_CUSTOMER);
    await Promise.all([full.waitFor(1), narrow.waitFor(1)]);
    const created = await gw.createCustomer({ emails: [{ address: "scoped-2@example.com" }] });
    // (The narrow subscriber's refusals are recorded as security events, which both receive too.)
    const about = (s: typeof full) => s.events.find((e) => e.customerId === created.id) as unknown as { customer: { id: string } | null };
    await expect.poll(() => about(full) && about(narrow), { timeout: 10_000 }).toBeTruthy();
    expect(about(full).customer).toEqual({ id: created.id });
    expect(about(narrow).customer).toBeNull();
    expect(narrow.errors).toContainEqual(expect.objectContaining({ extensions: expect.objectContaining({ code: "FORBIDDEN" }) }));
    expect(full.errors).toEqual([]);
    await Promise.all([full.close(), narrow.close()]);
  });

  it("closes the socket of a revoked credential while the other member of its class keeps receiving, one execution per event", async () => {
    const revoked = await issue(gw, "revoked member");
    const kept = await issue(gw, "kept member");
    const from = await oneBack(gw);
    const gone = subscribeAudit(gw.url, revoked.headers, from, WITH_CUSTOMER);
    const stays = subscribeAudit(gw.url, kept.headers, from, WITH_CUSTOMER);
    await Promise.all([gone.waitFor(1), stays.waitFor(1)]);

    await gw.gql(RevokeAdminCredentialDocument, { id: revoked.globalId });
    await gone.waitForClose();
    expect(gone.closeCode).toBe(4403);
    // The revocation and the socket's close are events too: count from after them.
    await gw.app.security.settled();
    const { auditSeq } = await gw.db.tenant.findUniqueOrThrow({ where: { id: gw.tenants.A.id } });
    await expect.poll(() => stays.events.at(-1)?.sequence, { timeout: 10_000 }).toBe(Number(auditSeq));
    executions.length = 0;
    const before = stays.events.length;
    await gw.createCustomer({ emails: [{ address: "after-revoke@example.com" }] });
    await stays.waitFor(before + 1);
    expect(stays.events.at(-1)).toMatchObject({ type: "customer.created" });
    expect(executions.length).toBe(1);
    await Promise.all([gone.close(), stays.close()]);
  });
});

describe("a slow consumer among shared subscribers", () => {
  const gw = useTestGateway({ listen: true, streamBuffer: 3 });

  it("cuts off a socket that stops reading with SLOW_CONSUMER and a cursor to resume from, while the others of its class get every event", async () => {
    // A client whose socket stops reading: the server's writes stop completing once the kernel's
    // buffers are full, so its stream stops pulling and its bounded queue overflows.
    const sockets: WebSocket[] = [];
    class Pausable extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        sockets.push(this);
      }
    }
    const query = `subscription ($after: String) { auditEvents(after: $after) { sequence cursor type data } }`;
    const from = await oneBack(gw);
    const slow = subscribeAudit(gw.url, gw.tenants.A.headers, from, query, Pausable as typeof WebSocket);
    const others = [subscribeAudit(gw.url, gw.tenants.A.headers, from, query), subscribeAudit(gw.url, gw.tenants.A.headers, from, query)];
    await Promise.all([slow.waitFor(1), ...others.map((s) => s.waitFor(1))]);
    const start = slow.events[0].sequence;

    sockets[0].pause();
    // 40 events of 512 KiB: far more than loopback socket buffers hold. (Within the server's 12 s
    // keep-alive: a socket that does not read does not answer its ping either.)
    const bulky = "x".repeat(512 * 1024);
    for (let i = 1; i <= 40; i++) {
      await transact(gw.serviceContext(), (_tx, audit) => audit({ type: "test.bulky", data: { i, bulky } }));
      // Paced by the readers that keep up (they share this process with the gateway).
      await Promise.all(others.map((s) => s.waitFor(1 + i)));
    }
    for (const other of others) expect(other.events.map((e) => e.sequence)).toEqual(Array.from({ length: 41 }, (_, i) => start + i));
    expect(others.flatMap((s) => s.errors)).toEqual([]);

    sockets[0].resume();
    await expect.poll(() => slow.errors.length, { timeout: 10_000 }).toBeGreaterThan(0);
    const received = slow.events.map((e) => e.sequence);
    expect(received.length).toBeLessThan(41);
    expect(received).toEqual(Array.from({ length: received.length }, (_, i) => start + i));
    expect(slow.errors).toEqual([expect.objectContaining({ extensions: { code: "SLOW_CONSUMER", resumeAfter: String(received.at(-1)) } })]);
    await Promise.all([slow.close(), ...others.map((s) => s.close())]);
  }, 60_000);
});

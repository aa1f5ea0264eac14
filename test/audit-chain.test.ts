import { createRemoteJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "../src/audit/chain.ts";
import { signCheckpoints } from "../src/audit/checkpoints.ts";
import { transact } from "../src/db/transact.ts";
import { createLocalEventBus } from "../src/events/bus.ts";
import { serviceContext } from "../src/service-context.ts";
import { createTenant } from "../src/tenants/service.ts";
import { AuditChainDocument } from "./generated/graphql.ts";
import { createTestGateway, type TestGateway } from "./helpers/gateway.ts";

// The tamper-evident audit trail: every event chained by the audit_event_chain trigger, verified by
// verifyAuditChain (what `npm run cli -- audit verify` runs), signed checkpoints, and the
// append-only trigger. Tampering goes around the triggers as a superuser would
// (session_replication_role = replica), on a tenant of its own per case.

let gw: TestGateway;
beforeAll(async () => {
  gw = await createTestGateway();
});
afterAll(() => gw.close());

let tenants = 0;
/** A new tenant with `count` audit events after the two of its creation (seq 1 and 2), written through transact(). */
async function tenantWithEvents(count: number): Promise<string> {
  const { tenant } = await createTenant(gw.db, createLocalEventBus(), { slug: `chain-${++tenants}` });
  const ctx = serviceContext({ db: gw.db, events: gw.app.events }, tenant.id, { kind: "SYSTEM", id: "test" });
  for (let i = 0; i < count; i++) await transact(ctx, async (_tx, audit) => void (await audit({ type: "test.event", data: { i } })));
  return tenant.id;
}

/** Runs `sql` with the triggers off, as a superuser tampering with the table would. */
async function tamper(...statements: string[]): Promise<void> {
  await gw.db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
    for (const sql of statements) await tx.$executeRawUnsafe(sql);
  });
}

/** Re-hashes the tenant's events from `from` on, in order, as a tamperer covering their tracks would. */
async function rehashFrom(tenantId: string, from: number): Promise<void> {
  const { auditSeq } = await gw.db.tenant.findUniqueOrThrow({ where: { id: tenantId } });
  const statements = [];
  for (let seq = from; seq <= Number(auditSeq); seq++) {
    statements.push(`UPDATE audit_event e SET prev_hash = p.hash, hash = sha256(p.hash || convert_to(audit_event_content(e), 'UTF8'))
      FROM audit_event p WHERE e.tenant_id = '${tenantId}' AND e.seq = ${seq} AND p.tenant_id = e.tenant_id AND p.seq = e.seq - 1`);
  }
  await tamper(...statements);
}

const eventId = async (tenantId: string, seq: number) =>
  (await gw.db.auditEvent.findFirstOrThrow({ where: { tenantId, seq }, select: { id: true } })).id;

describe("the audit hash chain", () => {
  it("chains every event written through the API and transact, several per transaction, and verifies intact", async () => {
    await gw.createCustomer({ emails: [{ address: "chain@example.com" }], customFields: { b: 1.5, a: "ü \u2028", n: 10.0 } });
    const ctx = gw.serviceContext("A");
    await transact(ctx, async (_tx, audit) => {
      for (const data of [{ z: 1, a: [1.1, { y: null }] }, { "": "" }, {}]) await audit({ type: "test.event", data });
    });
    const { auditSeq } = await gw.db.tenant.findUniqueOrThrow({ where: { id: gw.tenants.A.id } });
    const report = await verifyAuditChain(gw.db, gw.tenants.A.id);
    expect(report).toMatchObject({ problem: null, events: Number(auditSeq), headSeq: auditSeq });
    expect(report.headHash).toMatch(/^[0-9a-f]{64}$/);
    expect(await verifyAuditChain(gw.db, gw.tenants.B.id)).toMatchObject({ problem: null });
  });

  it("stays one chain under concurrent audited transactions of one tenant (each links to the one committed before it)", async () => {
    const tenantId = await tenantWithEvents(0);
    const ctx = serviceContext({ db: gw.db, events: gw.app.events }, tenantId, { kind: "SYSTEM", id: "test" });
    await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        transact(ctx, async (_tx, audit) => {
          await audit({ type: "test.event", data: { i } });
          if (i % 3 === 0) await audit({ type: "test.event", data: { i, second: true } });
        }),
      ),
    );
    expect(await verifyAuditChain(gw.db, tenantId)).toMatchObject({ problem: null, events: 2 + 24 + 8 });
  });

  it.each([
    [
      "altered data",
      (t: string) => tamper(`UPDATE audit_event SET data = '{"i": 99}' WHERE tenant_id = '${t}' AND seq = 3`),
      3,
      /^altered/,
    ],
    [
      "a rewritten event with only its own hash fixed",
      async (t: string) => {
        await tamper(`UPDATE audit_event SET data = '{"i": 99}' WHERE tenant_id = '${t}' AND seq = 3`);
        await tamper(`UPDATE audit_event e SET hash = sha256(prev_hash || convert_to(audit_event_content(e), 'UTF8'))
                      WHERE tenant_id = '${t}' AND seq = 3`);
      },
      4,
      /^broken link/,
    ],
    [
      "a deleted event",
      (t: string) => tamper(`DELETE FROM audit_event WHERE tenant_id = '${t}' AND seq = 3`),
      3,
      /^missing: the chain jumps from seq 2 to seq 4/,
    ],
    [
      "a deleted last event",
      (t: string) => tamper(`DELETE FROM audit_event WHERE tenant_id = '${t}' AND seq = 6`),
      6,
      /^missing: the chain ends at seq 5/,
    ],
    [
      "an inserted event (the later ones renumbered)",
      async (t: string) => {
        await tamper(
          `UPDATE audit_event SET seq = seq + 1000 WHERE tenant_id = '${t}' AND seq >= 3`,
          `UPDATE audit_event SET seq = seq - 999 WHERE tenant_id = '${t}' AND seq >= 1003`,
          `UPDATE tenant SET audit_seq = audit_seq + 1 WHERE id = '${t}'`,
        );
        // Through the chain trigger: the forged event itself is perfectly linked to seq 2.
        await gw.db.$executeRawUnsafe(`INSERT INTO audit_event (id, tenant_id, seq, type, actor_kind, data)
          VALUES (gen_random_uuid(), '${t}', 3, 'test.forged', 'SYSTEM', '{}')`);
      },
      4,
      /^altered/,
    ],
    [
      "a reordered pair",
      (t: string) =>
        tamper(
          `UPDATE audit_event SET seq = -1 WHERE tenant_id = '${t}' AND seq = 2`,
          `UPDATE audit_event SET seq = 2 WHERE tenant_id = '${t}' AND seq = 3`,
          `UPDATE audit_event SET seq = 3 WHERE tenant_id = '${t}' AND seq = -1`,
        ),
      2,
      /^altered/,
    ],
  ])("finds %s and reports the first bad seq", async (_name, tamperWith, badSeq, reason) => {
    const tenantId = await tenantWithEvents(4);
    expect((await verifyAuditChain(gw.db, tenantId)).problem).toBeNull();
    const idBefore = await eventId(tenantId, badSeq).catch(() => null);
    await tamperWith(tenantId);
    const { problem } = await verifyAuditChain(gw.db, tenantId);
    expect(problem).toMatchObject({ seq: BigInt(badSeq), reason: expect.stringMatching(reason) });
    if (problem!.id) expect(problem!.id).toBe(await eventId(tenantId, badSeq));
    else expect(idBefore === null || reason.source.startsWith("^missing")).toBe(true);
  });
});

describe("append-only audit events", () => {
  it("refuses UPDATE, DELETE and TRUNCATE from the application", async () => {
    const tenantId = await tenantWithEvents(1);
    const where = { tenantId };
    await expect(gw.db.auditEvent.updateMany({ where, data: { type: "rewritten" } })).rejects.toThrow(/append-only/);
    await expect(gw.db.auditEvent.deleteMany({ where })).rejects.toThrow(/append-only/);
    await expect(gw.db.$executeRawUnsafe("TRUNCATE audit_event")).rejects.toThrow(/append-only/);
    expect(await gw.db.auditEvent.count({ where })).toBe(3);
    expect((await verifyAuditChain(gw.db, tenantId)).problem).toBeNull();
  });

  it("lets the tenant erasure setting delete a tenant's events, but never rewrite them", async () => {
    const tenantId = await tenantWithEvents(1);
    const erasing = (sql: string) =>
      gw.db.$transaction(async (tx) => {
        await tx.$executeRawUnsafe("SET LOCAL gateway.audit_erasure = 'tenant'");
        return tx.$executeRawUnsafe(sql);
      });
    await expect(erasing(`UPDATE audit_event SET type = 'x' WHERE tenant_id = '${tenantId}'`)).rejects.toThrow(/append-only/);
    expect(await erasing(`DELETE FROM audit_event WHERE tenant_id = '${tenantId}'`)).toBe(3);
    // The setting lasted its transaction only.
    await expect(gw.db.auditEvent.deleteMany({})).rejects.toThrow(/append-only/);
  });
});

describe("signed audit checkpoints", () => {
  it("signs each moved head once, verifiable with jose against the JWKS served over HTTP", async () => {
    const tenantId = await tenantWithEvents(2);
    const signer = () => gw.app.auth.keys.signer();
    expect(await signCheckpoints(gw.db, signer)).toBeGreaterThan(0);
    expect(await signCheckpoints(gw.db, signer)).toBe(0);
    const [checkpoint] = await gw.db.auditCheckpoint.findMany({ where: { tenantId } });
    const report = await verifyAuditChain(gw.db, tenantId);
    expect(report).toMatchObject({ problem: null, checkpoints: 1 });

    const jwks = createRemoteJWKSet(new URL("/.well-known/jwks.json", await gw.listen()));
    const { payload, protectedHeader } = await jwtVerify(checkpoint.jws, jwks, { algorithms: ["EdDSA"] });
    expect(protectedHeader).toMatchObject({ typ: "audit-checkpoint+jwt", kid: checkpoint.kid });
    expect(payload).toMatchObject({ sub: tenantId, seq: Number(report.headSeq), hash: report.headHash });

    const overGraphQL = (await gw.gql(AuditChainDocument, {}, "B")).data!.auditChain;
    expect(overGraphQL.latestCheckpoints[0]).toMatchObject({ sequence: overGraphQL.headSequence, hash: overGraphQL.headHash });
    await transact(gw.serviceContext("B"), async (_tx, audit) => void (await audit({ type: "test.event" })));
    expect(await signCheckpoints(gw.db, signer)).toBe(1);
    expect(await gw.db.auditCheckpoint.count({ where: { tenantId } })).toBe(1);
  });

  it("finds a chain rewritten consistently under a checkpoint, a forged checkpoint and a tail removed with the head", async () => {
    const signer = () => gw.app.auth.keys.signer();
    const rewritten = await tenantWithEvents(3);
    await signCheckpoints(gw.db, signer);
    await tamper(`UPDATE audit_event SET data = '{"i": 99}' WHERE tenant_id = '${rewritten}' AND seq = 2`);
    await rehashFrom(rewritten, 2);
    expect((await verifyAuditChain(gw.db, rewritten)).problem).toMatchObject({
      seq: 5n,
      reason: expect.stringMatching(/checkpoint .*: the chain no longer passes through its signed hash at seq 5/),
    });

    const forged = await tenantWithEvents(1);
    await signCheckpoints(gw.db, signer);
    await gw.db.$executeRawUnsafe(`UPDATE audit_checkpoint SET jws = jws || 'x' WHERE tenant_id = '${forged}'`);
    expect((await verifyAuditChain(gw.db, forged)).problem).toMatchObject({
      seq: 3n,
      reason: expect.stringMatching(/signature does not verify/),
    });

    const truncated = await tenantWithEvents(2);
    await signCheckpoints(gw.db, signer);
    await tamper(
      `DELETE FROM audit_event WHERE tenant_id = '${truncated}' AND seq = 4`,
      `UPDATE tenant SET audit_seq = 3 WHERE id = '${truncated}'`,
    );
    expect((await verifyAuditChain(gw.db, truncated)).problem).toMatchObject({
      seq: 4n,
      reason: expect.stringMatching(/checkpoint .* covers seq 4/),
    });
  });
});

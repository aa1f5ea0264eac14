import { randomUUID } from "node:crypto";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { retryDelayMs } from "../src/connectors/record.ts";
import { recordFailure } from "../src/connectors/record.ts";
import type { ClaimedDelivery } from "../src/connectors/claims.ts";
import { insertConnector, type ConnectorRow } from "./helpers/connector-rows.ts";
import { attemptsOf, deliveriesOf, emit, settled, SETTLE_MS, WORKER_ENV } from "./helpers/deliveries.ts";
import { startReceiver, type Receiver, type Reply } from "./helpers/receiver.ts";
import { useTestGateway } from "./helpers/suite.ts";

// The delivery worker against real local receivers: retries under one webhook-id, timeouts, the
// end of the attempts, backoff, auto-deactivation, leases and fencing, the SSRF refusal.

const gw = useTestGateway({ env: WORKER_ENV });
const receivers: Receiver[] = [];
afterAll(() => Promise.all(receivers.map((r) => r.close())));
// Each test's connector listens only while it runs: later tests' events do not reach it.
afterEach(() => gw.db.connector.updateMany({ data: { active: false } }));

async function connectorTo(respond: (index: number) => Reply, row: Partial<ConnectorRow> = {}) {
  const receiver = await startReceiver((_request, index) => respond(index));
  receivers.push(receiver);
  const connector = await insertConnector(gw.db, gw.app.auth.keys.masterKey!, gw.tenants.A.id, { url: receiver.url, ...row });
  receiver.secrets = [connector.secret];
  return { receiver, connector };
}

describe("outflow deliveries", () => {
  it("retries a failing receiver under the same webhook-id until it answers 2xx, logging every attempt", async () => {
    const { receiver, connector } = await connectorTo((i) => ({ status: i < 4 ? 503 : 200, body: { n: i } }), {
      events: ["test.retry.*"],
      retryIntervalMs: 50,
    });
    const event = await emit(gw.serviceContext(), "test.retry.one", null, { hello: "world" });
    const [delivery] = await settled(gw.db, connector.id);
    expect(delivery).toMatchObject({ status: "DELIVERED", attempts: 5, lastStatusCode: 200, lastError: null, eventId: event.id });
    expect(receiver.received.map((r) => r.webhookId)).toEqual(Array(5).fill(delivery!.id));
    expect(receiver.received.every((r) => r.verifiedWith.length === 1)).toBe(true);
    expect(new Set(receiver.received.map((r) => r.raw)).size).toBe(1); // the body is built once
    expect(receiver.received[0]!.body).toMatchObject({
      event: { id: event.id, type: "test.retry.one", seq: String(event.seq), actor: { kind: "ADMIN" }, data: { hello: "world" } },
      customer: null,
      tenant: { id: gw.tenants.A.id },
    });
    expect(receiver.received[0]!.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": expect.stringMatching(/^identity-gateway/),
    });
    const attempts = await attemptsOf(gw.db, delivery!.id);
    expect(attempts.map((a) => [a.number, a.statusCode, a.error])).toEqual([
      [1, 503, "HTTP 503"],
      [2, 503, "HTTP 503"],
      [3, 503, "HTTP 503"],
      [4, 503, "HTTP 503"],
      [5, 200, null],
    ]);
    expect(attempts[4]!.responseExcerpt).toBe('{"n":4}');
    expect(await gw.db.connector.findUniqueOrThrow({ where: { id: connector.id } })).toMatchObject({
      consecutiveFailures: 0,
      active: true,
    });
  });

  it("ends a request at the connector's timeout and logs the attempt as timed out", async () => {
    const { receiver, connector } = await connectorTo(() => ({ hang: true }), { events: ["test.timeout"], timeoutMs: 400, maxAttempts: 1 });
    await emit(gw.serviceContext(), "test.timeout");
    const [delivery] = await settled(gw.db, connector.id);
    expect(delivery).toMatchObject({ status: "FAILED", attempts: 1, lastError: "timed out after 400 ms" });
    const [attempt] = await attemptsOf(gw.db, delivery!.id);
    expect(attempt).toMatchObject({ number: 1, statusCode: null, error: "timed out after 400 ms" });
    expect(attempt!.durationMs).toBeGreaterThanOrEqual(400);
    expect(attempt!.durationMs).toBeLessThan(5_000);
    expect(receiver.received).toHaveLength(1);
  });

  it("marks a delivery FAILED after the configured attempts and records connector.delivery_failed as the connector", async () => {
    const { receiver, connector } = await connectorTo(() => ({ status: 500, body: { error: "down" } }), {
      // Listening to its own kind of events too: the outbox still never sends it its own.
      events: ["test.always-fails", "connector.*"],
      retryIntervalMs: 20,
      maxAttempts: 3,
    });
    await emit(gw.serviceContext(), "test.always-fails", null);
    const [delivery, ...others] = await settled(gw.db, connector.id);
    expect(others).toEqual([]);
    expect(delivery).toMatchObject({ status: "FAILED", attempts: 3, lastStatusCode: 500, lastError: "HTTP 500" });
    expect(receiver.received).toHaveLength(3);
    const failed = await gw.db.auditEvent.findFirstOrThrow({ where: { type: "connector.delivery_failed", actorId: connector.id } });
    expect(failed).toMatchObject({
      actorKind: "CONNECTOR",
      data: {
        connectorId: connector.id,
        deliveryId: delivery!.id,
        eventType: "test.always-fails",
        attempts: 3,
        statusCode: 500,
        error: "HTTP 500",
      },
    });
    expect(await gw.db.connector.findUniqueOrThrow({ where: { id: connector.id } })).toMatchObject({
      consecutiveFailures: 3,
      active: true,
    });
  });

  it("waits interval × 2^(attempt−1) between attempts with exponential backoff", async () => {
    const { receiver, connector } = await connectorTo(() => ({ status: 500 }), {
      events: ["test.backoff"],
      retryIntervalMs: 250,
      backoff: "EXPONENTIAL",
      maxAttempts: 4,
    });
    await emit(gw.serviceContext(), "test.backoff");
    const [delivery] = await settled(gw.db, connector.id);
    const starts = (await attemptsOf(gw.db, delivery!.id)).map((a) => a.startedAt.getTime());
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(receiver.received).toHaveLength(4);
    expect(gaps[0]).toBeGreaterThanOrEqual(250);
    expect(gaps[1]).toBeGreaterThanOrEqual(500);
    expect(gaps[2]).toBeGreaterThanOrEqual(1000);
  });

  it("computes retry delays: fixed, doubling with at most 10% jitter, capped at a day, never under the minimum", () => {
    expect(retryDelayMs({ backoff: "FIXED", retryIntervalMs: 30_000 }, 3, 1000)).toBe(30_000);
    expect(retryDelayMs({ backoff: "FIXED", retryIntervalMs: 10 }, 1, 1000)).toBe(1000);
    for (const [attempts, base] of [
      [1, 1000],
      [2, 2000],
      [5, 16_000],
    ] as const) {
      const delay = retryDelayMs({ backoff: "EXPONENTIAL", retryIntervalMs: 1000 }, attempts, 1);
      expect(delay).toBeGreaterThanOrEqual(base);
      expect(delay).toBeLessThanOrEqual(base * 1.1);
    }
    expect(retryDelayMs({ backoff: "EXPONENTIAL", retryIntervalMs: 3_600_000 }, 30, 1)).toBe(86_400_000);
  });

  it("deactivates a connector that failed disableAfterFailures attempts in a row, with connector.failed", async () => {
    const { connector } = await connectorTo(() => ({ status: 502 }), {
      events: ["test.deactivate"],
      maxAttempts: 1,
      disableAfterFailures: 3,
    });
    for (let i = 0; i < 3; i++) await emit(gw.serviceContext(), "test.deactivate", null, { i });
    await settled(gw.db, connector.id, 3);
    await expect
      .poll(() => gw.db.connector.findUniqueOrThrow({ where: { id: connector.id } }), { timeout: SETTLE_MS })
      .toMatchObject({
        active: false,
        consecutiveFailures: 3,
        deactivatedReason: "3 failed attempts in a row (last: HTTP 502)",
      });
    const failed = await gw.db.auditEvent.findMany({ where: { type: "connector.failed", actorId: connector.id } });
    expect(failed).toEqual([
      expect.objectContaining({
        actorKind: "CONNECTOR",
        data: expect.objectContaining({ connectorId: connector.id, consecutiveFailures: 3 }),
      }),
    ]);
    await emit(gw.serviceContext(), "test.deactivate", null, { i: 3 });
    expect(await deliveriesOf(gw.db, connector.id)).toHaveLength(3); // an inactive connector gets nothing queued
  });

  it("claims a delivery whose lease ran out (its node died) and fences the old claim out of recording", async () => {
    const { receiver, connector } = await connectorTo(() => ({}), { events: ["test.lease.listened"] });
    // Events the connector does not listen to, queued by hand as a dead node's claims would be left.
    const expired = await emit(gw.serviceContext(), "test.lease.expired");
    const leased = await emit(gw.serviceContext(), "test.lease.held");
    const staleToken = randomUUID();
    const leaseEnd = new Date(Date.now() + 1500);
    const row = (event: typeof expired, nextAttemptAt: Date) => ({
      tenantId: gw.tenants.A.id,
      connectorId: connector.id,
      eventId: event.id,
      eventSeq: event.seq,
      eventType: event.type,
      status: "SENDING" as const,
      claimToken: staleToken,
      nextAttemptAt,
    });
    const [dead, held] = await Promise.all([
      gw.db.connectorDelivery.create({ data: row(expired, new Date(Date.now() - 1000)) }),
      gw.db.connectorDelivery.create({ data: row(leased, leaseEnd) }),
    ]);
    gw.app.events.publish(expired); // wakes the worker at once; the poll would find it too
    await settled(gw.db, connector.id, 2);
    expect(receiver.withId(dead.id)).toHaveLength(1);
    expect(receiver.withId(held.id)[0]!.at).toBeGreaterThanOrEqual(leaseEnd.getTime() - 50); // not before its lease ended
    const stale = { ...dead, claimToken: staleToken, attempts: 0, maxAttempts: 5, test: false } as unknown as ClaimedDelivery;
    const outcome = { ok: false, startedAt: new Date(), durationMs: 1, statusCode: 500, error: "late", responseExcerpt: null };
    expect(await recordFailure({ db: gw.db, events: gw.app.events }, stale, outcome, 1)).toBeNull();
    expect(await gw.db.connectorDelivery.findUniqueOrThrow({ where: { id: dead.id } })).toMatchObject({ status: "DELIVERED", attempts: 1 });
    expect(await attemptsOf(gw.db, dead.id)).toHaveLength(1);
  });
});

describe("outflow deliveries without CONNECTORS_ALLOW_PRIVATE_TARGETS", () => {
  const guarded = useTestGateway({ env: { ...WORKER_ENV, CONNECTORS_ALLOW_PRIVATE_TARGETS: "false" } });

  it("refuses to send to a loopback address: the attempt fails with the refusal and no request leaves", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const url = receiver.url.replace("http:", "https:");
    const connector = await insertConnector(guarded.db, guarded.app.auth.keys.masterKey!, guarded.tenants.A.id, {
      url,
      events: ["test.ssrf"],
      maxAttempts: 1,
    });
    await emit(guarded.serviceContext(), "test.ssrf");
    const [delivery] = await settled(guarded.db, connector.id);
    expect(delivery).toMatchObject({
      status: "FAILED",
      lastError: "refused: the target URL must not point at a private or loopback address",
    });
    expect(receiver.received).toEqual([]);
  });
});

import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createApp, type App } from "../src/app.ts";
import { openDatabase } from "../src/db/database.ts";
import { createLocalEventBus } from "../src/events/bus.ts";
import { serviceContext, type ServiceContext } from "../src/service-context.ts";
import { createTenant } from "../src/tenants/service.ts";
import { insertConnector } from "./helpers/connector-rows.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { attemptsOf, deliveriesOf, emit, SETTLE_MS, WORKER_ENV } from "./helpers/deliveries.ts";
import { testConfig } from "./helpers/gateway.ts";
import { startReceiver } from "./helpers/receiver.ts";

// Two gateway nodes on one PostgreSQL database, each with its own pool and delivery worker,
// share a burst of deliveries: every one is received, none twice, none attempted by two claims.
// PGlite is one process's database: there is no second node to run there.

const REDIS_URL = process.env.REDIS_URL;
const BURST = 300;
const CUSTOMERS = 30;
const MASTER_KEY = randomBytes(32);

describe("deliveries across two gateway nodes", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it("delivers bursts of audited mutations exactly once between them, in order per customer", async () => {
    const target = await createTestDatabase();
    cleanup.push(() => target.close());
    const db = target.database.prisma;
    const events = createLocalEventBus();
    const { tenant } = await createTenant(db, events, { slug: "nodes" });
    const receiver = await startReceiver(() => ({ delayMs: 5 }));
    cleanup.push(() => receiver.close());
    const connector = await insertConnector(db, MASTER_KEY, tenant.id, { url: receiver.url, events: ["test.burst"] });
    receiver.secrets = [connector.secret];
    const customers = Array.from({ length: CUSTOMERS }, () => randomUUID());
    const burst = async (contexts: ServiceContext[], from: number) => {
      for (let i = from; i < from + BURST; i += 10) {
        await Promise.all(
          Array.from({ length: 10 }, (_, j) =>
            emit(contexts[(i + j) % contexts.length]!, "test.burst", customers[(i + j) % CUSTOMERS]!, { n: i + j }),
          ),
        );
      }
    };
    const received = (count: number) =>
      expect.poll(() => new Set(receiver.received.map((r) => r.webhookId)).size, { timeout: SETTLE_MS * 2, interval: 50 }).toBe(count);

    // A backlog queued before the nodes start: what they drain together is their delivery rate.
    await burst([serviceContext({ db, events }, tenant.id, { kind: "SYSTEM", id: "burst" })], 0);
    const nodes: App[] = [];
    for (let i = 0; i < 2; i++) {
      const database = await openDatabase({ kind: "postgres", url: target.url! });
      const app = await createApp({
        config: testConfig({ env: { ...WORKER_ENV, MASTER_KEY: MASTER_KEY.toString("base64") }, redisUrl: REDIS_URL }),
        database,
      });
      nodes.push(app);
      cleanup.push(
        () => database.close(),
        () => app.stop(),
      );
    }
    const drainStarted = Date.now();
    await received(BURST);
    const seconds = (Math.max(...receiver.received.map((r) => r.at)) - drainStarted) / 1000;
    console.log(`two nodes drained ${BURST} queued deliveries in ${seconds.toFixed(2)} s (${(BURST / seconds).toFixed(0)} deliveries/s)`);

    // Then a burst written through both nodes while their workers claim.
    const live = nodes.map((n) => serviceContext({ db: n.database.prisma, events: n.events }, tenant.id, { kind: "SYSTEM", id: "burst" }));
    const burstStarted = Date.now();
    await burst(live, BURST);
    const written = Date.now();
    await received(2 * BURST);
    const lag = Math.max(...receiver.received.map((r) => r.at)) - written;
    console.log(`two nodes: ${BURST} mutations written in ${written - burstStarted} ms; last delivery ${lag} ms after the last commit`);

    const deliveries = await deliveriesOf(db, connector.id);
    expect(deliveries).toHaveLength(2 * BURST);
    expect(deliveries.every((d) => d.status === "DELIVERED" && d.attempts === 1)).toBe(true);
    expect(receiver.received).toHaveLength(2 * BURST); // no webhook-id twice
    expect(receiver.received.every((r) => r.verifiedWith.length === 1)).toBe(true);
    // One attempt each: no delivery was sent under two claims.
    expect(await db.deliveryAttempt.count({ where: { tenantId: tenant.id } })).toBe(2 * BURST);
    expect((await attemptsOf(db, deliveries[0]!.id)).map((a) => a.number)).toEqual([1]);

    // Per customer, the receiver saw the events in their sequence order.
    const seqOf = new Map(deliveries.map((d) => [d.id, d.eventSeq]));
    for (const customerId of customers) {
      const seen = receiver.received.filter((r) => (r.body.event as { customerId: string }).customerId === customerId);
      const seqs = seen.map((r) => seqOf.get(r.webhookId)!);
      expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? -1 : 1)));
    }
  });
});

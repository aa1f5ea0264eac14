import { afterAll, describe, expect, it } from "vitest";
import { transact } from "../src/db/transact.ts";
import { insertConnector } from "./helpers/connector-rows.ts";
import { settled, WORKER_ENV } from "./helpers/deliveries.ts";
import { startReceiver, type Receiver } from "./helpers/receiver.ts";
import { useTestGateway } from "./helpers/suite.ts";

// What a delivery costs in SQL statements is what the outbox costs the writes beside it
// (bench:connectors: 8 statements a delivery halved the write rate). A burst of deliveries of a
// connector without logic is claimed, its inputs read and its bodies stored by the claim statement,
// and its successes recorded gathered: a regression to one-statement-per-step fails here rather
// than in a benchmark. The worker polls rarely here, so it only runs when woken by the events.

const BURST = 12;
const gw = useTestGateway({ env: { ...WORKER_ENV, CONNECTOR_WORKER_INTERVAL_MS: "60000" } });
const receivers: Receiver[] = [];
afterAll(() => Promise.all(receivers.map((r) => r.close())));

describe("the delivery worker's statements", () => {
  it("delivers a burst of events with at most two statements per delivery (claim with inputs and bodies, gathered successes)", async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    const connector = await insertConnector(gw.db, gw.app.auth.keys.masterKey!, gw.tenants.A.id, {
      url: receiver.url,
      events: ["test.statements"],
    });
    gw.statements.reset();
    await transact(gw.serviceContext(), async (_tx, audit) => {
      for (let i = 0; i < BURST; i++) await audit({ type: "test.statements", data: { i } });
    });
    const transaction = gw.statements.count;
    await expect.poll(() => receiver.received.length, { timeout: 30_000, interval: 20 }).toBe(BURST);
    const deliveries = await settled(gw.db, connector.id, BURST);
    expect(deliveries.every((d) => d.status === "DELIVERED")).toBe(true);
    // The test's own polls read through Prisma's generated SQL; the worker writes raw SQL only.
    const worker = gw.statements.sql.slice(transaction).filter((sql) => !sql.includes('"public".'));
    expect(worker.filter((sql) => /UPDATE connector_delivery d\s+SET status = 'SENDING'/.test(sql)).length).toBeGreaterThanOrEqual(1);
    expect(worker.some((sql) => sql.includes("SET payload = CASE WHEN b.skip"))).toBe(false); // the claim stored the bodies
    // The most it can be: one claim taking all of them, then per success statement (gathered
    // when sends finish together; at worst one each) one claim woken by the finished sends.
    // Measured 21–25 for 12; before the claim took over the input read and the body store, and
    // successes were gathered, a delivery cost 8.
    expect(worker.length).toBeLessThanOrEqual(2 * BURST + 1);
  });
});

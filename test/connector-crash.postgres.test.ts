import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { afterAll, describe, expect, it } from "vitest";
import { createLocalEventBus } from "../src/events/bus.ts";
import { createTenant } from "../src/tenants/service.ts";
import { insertConnector } from "./helpers/connector-rows.ts";
import { createTestDatabase } from "./helpers/database.ts";
import { startGatewayProcess } from "./helpers/process.ts";
import { deliveriesOf, SETTLE_MS } from "./helpers/deliveries.ts";
import { tenantOf } from "./helpers/gateway.ts";
import { startReceiver } from "./helpers/receiver.ts";

// A real gateway process (`npm start`'s entry, one process: node --import tsx) on a fresh
// PostgreSQL database is killed with SIGKILL in the middle of a burst of mutations while it is
// sending their deliveries; a new process on the same database then delivers every committed
// event. Duplicates may only be re-sends under the same webhook-id (claims the dead process held).

const MASTER_KEY = randomBytes(32);
const CREATE = "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { __typename } }";

function startGateway(databaseUrl: string): { child: ChildProcess; url: Promise<string> } {
  return startGatewayProcess(databaseUrl, {
    MASTER_KEY: MASTER_KEY.toString("base64"),
    CONNECTORS_ALLOW_PRIVATE_TARGETS: "true",
    CONNECTOR_WORKER_INTERVAL_MS: "100",
    CONNECTOR_LEASE_MARGIN_MS: "500",
  });
}

describe("a gateway process killed with SIGKILL mid-send", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it("loses no committed event: a restarted process delivers them all, duplicates only under the same webhook-id", async () => {
    const target = await createTestDatabase();
    cleanup.push(() => target.close());
    const db = target.database.prisma;
    const tenant = tenantOf(await createTenant(db, createLocalEventBus(), { slug: "crash" }));
    const admin = tenant.headers;
    const receiver = await startReceiver(() => ({ delayMs: 20 }));
    cleanup.push(() => receiver.close());
    const connector = await insertConnector(db, MASTER_KEY, tenant.id, {
      url: receiver.url,
      events: ["customer.created"],
      timeoutMs: 2000,
    });
    receiver.secrets = [connector.secret];

    const first = startGateway(target.url!);
    const firstUrl = await first.url;
    let killed = false;
    const create = (i: number) =>
      fetch(firstUrl, {
        method: "POST",
        headers: { "content-type": "application/json", ...admin },
        body: JSON.stringify({
          query: CREATE,
          variables: { input: { uid: `crash-${i}`, emails: [{ address: `crash-${i}@example.com` }] } },
        }),
      }).catch(() => null); // requests cut off by the kill: committed or not, the database says
    const writers = Array.from({ length: 8 }, async (_, w) => {
      for (let i = w; i < 400 && !killed; i += 8) await create(i);
    });
    await expect.poll(() => receiver.received.length, { timeout: SETTLE_MS, interval: 10 }).toBeGreaterThanOrEqual(40);
    first.child.kill("SIGKILL");
    killed = true;
    await once(first.child, "exit");
    await Promise.all(writers);

    const committed = await db.auditEvent.count({ where: { type: "customer.created" } });
    const queued = await deliveriesOf(db, connector.id);
    const before = receiver.received.length;
    expect(queued).toHaveLength(committed); // the outbox: one delivery per committed event
    const second = startGateway(target.url!);
    cleanup.push(async () => {
      second.child.kill("SIGTERM");
      await once(second.child, "exit");
    });
    await second.url;
    const ids = new Set(queued.map((d) => d.id));
    await expect.poll(() => [...ids].every((id) => receiver.withId(id).length > 0), { timeout: SETTLE_MS * 2, interval: 100 }).toBe(true);
    await expect
      .poll(async () => (await deliveriesOf(db, connector.id)).every((d) => d.status === "DELIVERED"), { timeout: SETTLE_MS })
      .toBe(true);
    const duplicates = receiver.received.length - ids.size;
    console.log(
      `kill -9: ${committed} events committed, ${ids.size} delivered (${before} requests before the kill), ${duplicates} duplicate requests (same webhook-id)`,
    );
    expect(receiver.received.every((r) => ids.has(r.webhookId) && r.verifiedWith.length === 1)).toBe(true);
    expect(committed).toBeGreaterThanOrEqual(40);
  });
});

import { expect } from "vitest";
import type { Db } from "../../src/db/database.ts";
import { transact } from "../../src/db/transact.ts";
import type { ServiceContext } from "../../src/service-context.ts";

/** A gateway whose delivery worker runs, polls often, may target local receivers, and retries in milliseconds. */
export const WORKER_ENV = {
  CONNECTOR_WORKER_INTERVAL_MS: "100",
  CONNECTORS_ALLOW_PRIVATE_TARGETS: "true",
  CONNECTOR_LEASE_MARGIN_MS: "500",
  CONNECTOR_MIN_RETRY_INTERVAL_MS: "1",
};

/** Generous: the suites share two loaded cores. Conditions are polled, never slept on. */
export const SETTLE_MS = 30_000;

/** Records one audited event (what any mutation does), which the outbox queues to the listening connectors. */
export const emit = (ctx: ServiceContext, type: string, customerId: string | null = null, data: Record<string, unknown> = {}) =>
  transact(ctx, (_tx, audit) => audit({ type, customerId, data }));

export const deliveriesOf = (db: Db, connectorId: string) =>
  db.connectorDelivery.findMany({ where: { connectorId }, orderBy: [{ eventSeq: "asc" }, { createdAt: "asc" }] });

export const attemptsOf = (db: Db, deliveryId: string) =>
  db.deliveryAttempt.findMany({ where: { deliveryId }, orderBy: { number: "asc" } });

/** Waits until the connector's deliveries number `count` and none is PENDING or SENDING any more; answers them. */
export async function settled(db: Db, connectorId: string, count = 1) {
  await expect
    .poll(
      async () => {
        const rows = await deliveriesOf(db, connectorId);
        return rows.length >= count && rows.every((d) => d.status !== "PENDING" && d.status !== "SENDING");
      },
      { timeout: SETTLE_MS, interval: 50 },
    )
    .toBe(true);
  return deliveriesOf(db, connectorId);
}

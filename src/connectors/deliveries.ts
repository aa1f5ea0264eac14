import { transact } from "../db/transact.ts";
import { NotFoundError, RuleViolationError } from "../errors.ts";
import type { ConnectorDelivery, Prisma } from "../generated/prisma/client.ts";
import type { DeliveryStatus } from "../generated/prisma/enums.ts";
import { isUuid, NIL_UUID } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";
import { requireConnector } from "./service.ts";

// The delivery log as admins use it: filter it, send a delivery again, send a sample event. The
// worker (worker.ts) sends what is queued here; nothing in this file talks to a receiver.

/** The event type of testConnector's sample deliveries (no audit event behind them). */
export const TEST_EVENT_TYPE = "connector.test";
/** How long testConnector waits for the outcome beyond the connector's request timeout. */
const TEST_GRACE_MS = 2_000;
const POLL_MS = 100;

export interface DeliveryFilter {
  status?: DeliveryStatus | null;
  /** An exact type, or `prefix.*`. */
  eventType?: string | null;
  /** The customer's row id (a malformed one matches nothing). */
  customerId?: string | null;
  /** Created at or after. */
  createdAfter?: Date | null;
  /** Created strictly before. */
  createdBefore?: Date | null;
}

/** The Prisma filter of a connector's deliveries (Connector.deliveries folds it into the connector's query). */
export function deliveryWhere(filter: DeliveryFilter): Prisma.ConnectorDeliveryWhereInput {
  const where: Prisma.ConnectorDeliveryWhereInput = {};
  if (filter.status) where.status = filter.status;
  if (filter.eventType) {
    where.eventType = filter.eventType.endsWith(".*") ? { startsWith: filter.eventType.slice(0, -1) } : filter.eventType;
  }
  if (filter.customerId != null) where.customerId = isUuid(filter.customerId) ? filter.customerId : NIL_UUID;
  if (filter.createdAfter || filter.createdBefore) {
    where.createdAt = {
      ...(filter.createdAfter ? { gte: filter.createdAfter } : {}),
      ...(filter.createdBefore ? { lt: filter.createdBefore } : {}),
    };
  }
  return where;
}

/**
 * A page of one connector's deliveries of the caller's tenant, newest first (the CLI's listing;
 * GraphQL reads them as Connector.deliveries). Throws CONNECTOR_NOT_FOUND. Cost: two indexed statements.
 */
export async function listDeliveries(
  ctx: ServiceContext,
  connectorId: string,
  filter: DeliveryFilter,
  first = 50,
): Promise<ConnectorDelivery[]> {
  const connector = isUuid(connectorId) ? await ctx.db.connector.findFirst({ where: { id: connectorId, tenantId: ctx.tenantId } }) : null;
  if (!connector) throw new NotFoundError("CONNECTOR_NOT_FOUND");
  return ctx.db.connectorDelivery.findMany({
    where: { ...deliveryWhere(filter), connectorId: connector.id, tenantId: ctx.tenantId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: first,
  });
}

/**
 * Queues a FAILED or DELIVERED delivery again: PENDING, no attempts made, due now, unclaimed. Its
 * payload is kept, so the receiver gets the same body under the same webhook-id (the delivery id)
 * and can recognize it. Records `connector.delivery_replayed`. Throws DELIVERY_NOT_FOUND, or
 * INVALID_STATE while the delivery is still open (PENDING, SENDING) or was SKIPPED by the rule.
 */
export async function replayDelivery(ctx: ServiceContext, id: string): Promise<ConnectorDelivery> {
  return transact(ctx, async (tx, audit) => {
    const locked = isUuid(id)
      ? await tx.$queryRaw<{ id: string }[]>`
          SELECT id FROM connector_delivery WHERE id = ${id}::uuid AND tenant_id = ${ctx.tenantId}::uuid FOR UPDATE`
      : [];
    if (locked.length === 0) throw new NotFoundError("DELIVERY_NOT_FOUND");
    const current = await tx.connectorDelivery.findUniqueOrThrow({ where: { id } });
    if (current.status !== "FAILED" && current.status !== "DELIVERED") {
      throw new RuleViolationError("INVALID_STATE", `only a FAILED or DELIVERED delivery can be replayed (this one is ${current.status})`);
    }
    const delivery = await tx.connectorDelivery.update({
      where: { id },
      data: { status: "PENDING", attempts: 0, nextAttemptAt: new Date(), claimToken: null, deliveredAt: null },
    });
    await audit({
      type: "connector.delivery_replayed",
      data: { connectorId: delivery.connectorId, deliveryId: delivery.id, eventType: delivery.eventType, previousStatus: current.status },
    });
    return delivery;
  });
}

/**
 * Queues a sample delivery (test: true, event type `connector.test`, no event behind it; the
 * worker builds its body and sends it even while the connector is inactive) and records
 * `connector.tested` in the same transaction, which wakes the workers. Then waits for the first
 * attempt's outcome, at most the connector's timeout plus 2 s, and answers the delivery as it is
 * then (still PENDING when no worker took it). Throws CONNECTOR_NOT_FOUND, INVALID_STATE for an
 * INFLOW connector. Cost: one transaction, then one indexed read every 100 ms while waiting.
 */
export async function testConnector(ctx: ServiceContext, id: string): Promise<ConnectorDelivery> {
  const queued = await transact(ctx, async (tx, audit) => {
    const connector = await requireConnector(tx, ctx, id);
    if (connector.direction !== "OUTFLOW") throw new RuleViolationError("INVALID_STATE", "only an OUTFLOW connector sends deliveries");
    const delivery = await tx.connectorDelivery.create({
      data: { tenantId: ctx.tenantId, connectorId: connector.id, eventSeq: 0n, eventType: TEST_EVENT_TYPE, test: true },
    });
    await audit({ type: "connector.tested", data: { connectorId: connector.id, name: connector.name, deliveryId: delivery.id } });
    return { delivery, waitMs: connector.timeoutMs + TEST_GRACE_MS };
  });
  return awaitFirstOutcome(ctx, queued.delivery, queued.waitMs);
}

const settled = (d: ConnectorDelivery) => d.status !== "PENDING" && d.status !== "SENDING";

async function awaitFirstOutcome(ctx: ServiceContext, delivery: ConnectorDelivery, waitMs: number): Promise<ConnectorDelivery> {
  const deadline = Date.now() + waitMs;
  let current = delivery;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    current = (await ctx.db.connectorDelivery.findUnique({ where: { id: delivery.id } })) ?? current;
    // Settled, or an attempt failed and a retry is scheduled: either way the first outcome is known.
    if (settled(current) || (current.status === "PENDING" && current.attempts > 0)) return current;
  }
  return current;
}

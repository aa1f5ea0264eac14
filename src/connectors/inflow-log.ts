import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transact.ts";
import type { InflowRequest, Prisma } from "../generated/prisma/client.ts";
import type { InflowOutcome } from "../generated/prisma/enums.ts";
import { isUuid, NIL_UUID } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";

// The inflow request log: one row per request that reached an existing inflow connector (applied,
// duplicate or rejected), and the one query both GraphQL paths to it page through
// (Query.inflowRequests and Connector.inflowRequests).

/** A field a rejected record got wrong: `path` in the customer record (emails.0.value, customFields.plan) or `mapping`. */
export interface FieldError {
  path: string;
  message: string;
}

export interface InflowLogEntry {
  tenantId: string;
  connectorId: string;
  webhookId: string | null;
  outcome: InflowOutcome;
  statusCode: number;
  error?: string | null;
  fieldErrors?: FieldError[] | null;
  customerId?: string | null;
  created?: boolean;
  durationMs: number;
}

const rowOf = (e: InflowLogEntry): Prisma.InflowRequestUncheckedCreateInput => ({
  ...e,
  fieldErrors: (e.fieldErrors ?? undefined) as Prisma.InputJsonValue | undefined,
});

/**
 * Writes a log row on its own (duplicates and rejections: nothing else is written for them).
 * Cost: one INSERT.
 */
export const logInflowRequest = (db: Db | Tx, entry: InflowLogEntry): Promise<InflowRequest> =>
  db.inflowRequest.create({ data: rowOf(entry) });

/** Completes the claimed APPLIED row with what the request did. Cost: one UPDATE. */
export const completeClaim = (tx: Tx, id: string, result: { customerId: string | null; created: boolean; durationMs: number }) =>
  tx.inflowRequest.update({ where: { id }, data: result });

/** The APPLIED request of a connector with this webhook-id, if any. Cost: one indexed read. */
export const findAppliedRequest = (db: Db, connectorId: string, webhookId: string): Promise<InflowRequest | null> =>
  db.inflowRequest.findFirst({ where: { connectorId, webhookId, outcome: "APPLIED" } });

export interface InflowRequestFilter {
  outcome?: InflowOutcome | null;
  receivedAfter?: Date | null;
  receivedBefore?: Date | null;
}

/**
 * The where and order of a connector's log page, newest first: what Connector.inflowRequests
 * hands Pothos (a relatedConnection folded into the connector's query) and what
 * listInflowRequests runs. Uses the (connector_id, received_at, id) index.
 */
export function inflowRequestQuery(filter: InflowRequestFilter) {
  const receivedAt = {
    ...(filter.receivedAfter ? { gt: filter.receivedAfter } : {}),
    ...(filter.receivedBefore ? { lt: filter.receivedBefore } : {}),
  };
  return {
    where: { ...(filter.outcome ? { outcome: filter.outcome } : {}), ...(Object.keys(receivedAt).length ? { receivedAt } : {}) },
    orderBy: [{ receivedAt: "desc" as const }, { id: "desc" as const }],
  };
}

/**
 * A page of one connector's log as Pothos's prismaConnection asks for it. A connector of another
 * tenant (or not an inflow one) and a cursor of another connector's row find nothing: the cursor
 * is held to the same tenant and connector as the page. Cost: one statement.
 */
export function listInflowRequests(
  ctx: ServiceContext,
  connectorId: string,
  filter: InflowRequestFilter,
  page: { cursor?: { id?: unknown }; take?: number; skip?: number },
) {
  const { where, orderBy } = inflowRequestQuery(filter);
  const owner = { tenantId: ctx.tenantId, connectorId: isUuid(connectorId) ? connectorId : NIL_UUID };
  const cursor = page.cursor?.id;
  return ctx.db.inflowRequest.findMany({
    ...(page as object),
    cursor: page.cursor ? { id: typeof cursor === "string" && isUuid(cursor) ? cursor : NIL_UUID, ...owner } : undefined,
    where: { ...where, ...owner },
    orderBy,
  });
}

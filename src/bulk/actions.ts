import { Prisma } from "../generated/prisma/client.ts";
import { diff, type AuditWriter, type Tx } from "../db/transact.ts";
import { activeWhere, revokedByOf } from "../sessions/service.ts";
import type { ServiceContext } from "../service-context.ts";

// One batch of a bulk action, set-based: one statement locks the batch's customers (keyset on the
// primary key, FOR UPDATE like requireCustomer), changes the eligible ones and answers every
// locked row with its values before and whether it changed; then, for DISABLE and BLOCK, one
// UPDATE … RETURNING ends the changed customers' live sessions (what makes their access tokens
// fail at once, account/principal.ts). The audit events are those the single mutations record
// (customers/status.ts, customers/service.ts deleteCustomer, sessions revokeAllSessions), with the
// job id in data, all written by the transaction's one audit statement (db/transact.ts), which
// also queues the connectors' deliveries. A customer already in the target state is skipped.

export const BULK_ACTIONS = [
  "DELETE",
  "ENABLE",
  "DISABLE",
  "BLOCK",
  "UNBLOCK",
  "ADD_TO_GROUP",
  "REMOVE_FROM_GROUP",
  "REVOKE_SESSIONS",
] as const;
export type BulkActionName = (typeof BULK_ACTIONS)[number];

/** What an action was asked to do, as a job stores it. */
export interface ActionParams {
  action: BulkActionName;
  reason?: string | null;
  /** ISO instant. */
  until?: string | null;
  groupId?: string | null;
}

interface Row {
  id: string;
  uid: string;
  status: string;
  block_reason: string | null;
  blocked_until: Date | null;
  failed_sign_ins: number;
  changed: boolean;
}

export interface BatchResult {
  /** Ids of the customers the batch locked, in id order (the last is the next cursor). */
  seen: string[];
  /** Ids of the customers whose rows changed. */
  changed: string[];
  affected: number;
  skipped: number;
}

const EFFECTIVE = Prisma.sql`(CASE WHEN sel.status = 'BLOCKED' AND sel.blocked_until <= now() THEN 'ACTIVE' ELSE sel.status END)`;

/** The data-modifying statement of an action over the locked rows `sel`, answering the changed ids. */
function changeSql(ctx: ServiceContext, p: ActionParams): Prisma.Sql {
  const t = Prisma.sql`${ctx.tenantId}::uuid`;
  const update = (set: Prisma.Sql, eligible: Prisma.Sql) =>
    Prisma.sql`UPDATE customer c SET ${set}, updated_at = now() FROM sel WHERE c.id = sel.id AND c.tenant_id = ${t} AND ${eligible} RETURNING c.id`;
  const until = p.until ? new Date(p.until) : null;
  switch (p.action) {
    case "DISABLE":
      return update(Prisma.sql`status = 'DISABLED'`, Prisma.sql`${EFFECTIVE} <> 'DISABLED'`);
    case "ENABLE":
      return update(Prisma.sql`status = 'ACTIVE', block_reason = NULL, blocked_until = NULL`, Prisma.sql`${EFFECTIVE} = 'DISABLED'`);
    case "BLOCK":
      return update(
        Prisma.sql`status = 'BLOCKED', block_reason = ${p.reason}, blocked_until = ${until}::timestamptz`,
        Prisma.sql`(sel.status, sel.block_reason, sel.blocked_until) IS DISTINCT FROM ('BLOCKED', ${p.reason}::text, ${until}::timestamptz)`,
      );
    case "UNBLOCK":
      return update(
        Prisma.sql`status = CASE WHEN ${EFFECTIVE} = 'BLOCKED' THEN 'ACTIVE' ELSE c.status END,
          block_reason = CASE WHEN ${EFFECTIVE} = 'BLOCKED' THEN NULL ELSE c.block_reason END,
          blocked_until = CASE WHEN ${EFFECTIVE} = 'BLOCKED' THEN NULL ELSE c.blocked_until END,
          failed_sign_ins = 0, failed_sign_ins_since = NULL`,
        Prisma.sql`(${EFFECTIVE} = 'BLOCKED' OR sel.failed_sign_ins > 0)`,
      );
    case "DELETE":
      return Prisma.sql`DELETE FROM customer c USING sel WHERE c.id = sel.id AND c.tenant_id = ${t} RETURNING c.id`;
    case "ADD_TO_GROUP":
      return Prisma.sql`INSERT INTO group_membership (tenant_id, group_id, customer_id, created_at)
        SELECT ${t}, ${p.groupId}::uuid, sel.id, now() FROM sel ON CONFLICT DO NOTHING RETURNING customer_id AS id`;
    case "REMOVE_FROM_GROUP":
      return Prisma.sql`DELETE FROM group_membership m USING sel
        WHERE m.tenant_id = ${t} AND m.group_id = ${p.groupId}::uuid AND m.customer_id = sel.id RETURNING m.customer_id AS id`;
    case "REVOKE_SESSIONS":
      // Sessions are ended below, for every locked customer.
      return Prisma.sql`SELECT NULL::uuid AS id WHERE FALSE`;
  }
}

/**
 * Runs one batch: the customers matching `where` (on `customer c`, tenant included) after `after`
 * in id order, at most `limit`. Records one audit event per changed customer (plus
 * `session.revoked_all` where sessions ended), each with `extra` in data. Cost: one statement,
 * one more for sessions (DISABLE, BLOCK, REVOKE_SESSIONS); the events go with the transaction's one audit statement.
 */
export async function applyBatch(
  tx: Tx,
  audit: AuditWriter,
  ctx: ServiceContext,
  p: ActionParams,
  page: { where: Prisma.Sql; after: string | null; limit: number },
  extra: Record<string, unknown>,
): Promise<BatchResult> {
  const keyset = page.after ? Prisma.sql`AND c.id > ${page.after}::uuid` : Prisma.empty;
  const rows = await tx.$queryRaw<Row[]>`
    WITH sel AS (
      SELECT c.id, c.uid, c.status::text AS status, c.block_reason, c.blocked_until, c.failed_sign_ins
      FROM customer c WHERE ${page.where} ${keyset} ORDER BY c.id LIMIT ${page.limit} FOR UPDATE OF c
    ), changed AS (${changeSql(ctx, p)})
    SELECT sel.*, EXISTS (SELECT 1 FROM changed WHERE changed.id = sel.id) AS changed FROM sel ORDER BY sel.id`;
  const changed = rows.filter((r) => r.changed);
  for (const row of changed) {
    const event = eventOf(p, row);
    if (event) await audit({ type: event.type, customerId: row.id, data: { ...event.data, ...extra } });
  }
  let affected = changed.length;
  if (p.action === "DISABLE" || p.action === "BLOCK") {
    await endSessions(tx, audit, ctx, changed, { reason: p.action === "DISABLE" ? "disabled" : "blocked", ...extra });
  } else if (p.action === "REVOKE_SESSIONS") {
    affected = await endSessions(tx, audit, ctx, rows, extra);
  }
  return { seen: rows.map((r) => r.id), changed: changed.map((r) => r.id), affected, skipped: rows.length - affected };
}

/** The single mutation's event for a changed row (REVOKE_SESSIONS records only session.revoked_all). */
function eventOf(p: ActionParams, row: Row): { type: string; data: Record<string, unknown> } | null {
  const before = { status: row.status, blockReason: row.block_reason, blockedUntil: row.blocked_until };
  switch (p.action) {
    case "DISABLE":
      return { type: "customer.disabled", data: { changes: diff(before, { status: "DISABLED" }) } };
    case "ENABLE":
      return { type: "customer.enabled", data: { changes: diff(before, { status: "ACTIVE", blockReason: null, blockedUntil: null }) } };
    case "BLOCK": {
      const next = { status: "BLOCKED", blockReason: p.reason ?? null, blockedUntil: p.until ? new Date(p.until) : null };
      return { type: "customer.blocked", data: { changes: diff(before, next) } };
    }
    case "UNBLOCK": {
      const blocked = row.status === "BLOCKED" && !(row.blocked_until && row.blocked_until <= new Date());
      const changes = diff(before, blocked ? { status: "ACTIVE", blockReason: null, blockedUntil: null } : {});
      return { type: "customer.unblocked", data: { changes, clearedFailedSignIns: row.failed_sign_ins } };
    }
    case "DELETE":
      return { type: "customer.deleted", data: { uid: row.uid } };
    case "ADD_TO_GROUP":
      return { type: "group.member_added", data: { groupId: p.groupId } };
    case "REMOVE_FROM_GROUP":
      return { type: "group.member_removed", data: { groupId: p.groupId } };
    case "REVOKE_SESSIONS":
      return null;
  }
}

/**
 * Revokes every live session of `customers` in one UPDATE … RETURNING and records one
 * `session.revoked_all` per customer that had any (as sessions/service.ts endSessions does per
 * customer). Returns how many customers had a live session.
 */
async function endSessions(tx: Tx, audit: AuditWriter, ctx: ServiceContext, customers: Row[], data: Record<string, unknown>) {
  if (customers.length === 0) return 0;
  const now = new Date();
  const revoked = await tx.session.updateManyAndReturn({
    where: { tenantId: ctx.tenantId, customerId: { in: customers.map((c) => c.id) }, ...activeWhere(now) },
    data: { revokedAt: now, revokedBy: revokedByOf(ctx.actor) },
    select: { id: true, customerId: true },
  });
  const byCustomer = new Map<string, string[]>();
  for (const s of revoked) byCustomer.set(s.customerId, [...(byCustomer.get(s.customerId) ?? []), s.id]);
  for (const [customerId, ids] of [...byCustomer].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sessionIds = ids.sort();
    await audit({ type: "session.revoked_all", customerId, data: { count: sessionIds.length, sessionIds, ...data } });
  }
  return byCustomer.size;
}

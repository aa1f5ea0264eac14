import { Prisma } from "../generated/prisma/client.ts";
import { diff, type AuditWriter, type Tx } from "../db/transact.ts";
import { revokedByOf } from "../sessions/service.ts";
import type { ServiceContext } from "../service-context.ts";

// One batch of a bulk action, set-based: one statement locks the batch's customers (keyset on the
// primary key, FOR UPDATE like requireCustomer), changes the eligible ones, ends the live sessions
// of those DISABLE and BLOCK changed (what makes their access tokens fail at once,
// account/principal.ts), and answers every locked row with its values before, whether it changed
// and the sessions it ended. The audit events are those the single mutations record
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
  /** The group's name when the action was asked for: the events say it, like addGroupMembers's. */
  groupName?: string | null;
}

interface Row {
  id: string;
  uid: string;
  status: string;
  block_reason: string | null;
  blocked_until: Date | null;
  failed_sign_ins: number;
  changed: boolean;
  /** Ids of the sessions the statement ended, or null. */
  sessions: string[] | null;
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
 * in id order, at most `limit`. Records per changed customer the single mutation's event, then
 * `session.revoked_all` where sessions ended (the order one at a time would give), each with
 * `extra` in data. Cost: one statement; the events go with the transaction's one audit statement.
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
    ), changed AS (${changeSql(ctx, p)}),
    ended AS (${endSessionsSql(ctx, p)}),
    ended_by AS (SELECT customer_id, array_agg(id::text) AS ids FROM ended GROUP BY customer_id)
    SELECT sel.*, changed.id IS NOT NULL AS changed, ended_by.ids AS sessions
    FROM sel LEFT JOIN changed ON changed.id = sel.id LEFT JOIN ended_by ON ended_by.customer_id = sel.id
    ORDER BY sel.id`;
  const reason = p.action === "DISABLE" ? { reason: "disabled" } : p.action === "BLOCK" ? { reason: "blocked" } : {};
  let affected = 0;
  for (const row of rows) {
    const event = row.changed ? eventOf(p, row) : null;
    if (event) await audit({ type: event.type, customerId: row.id, data: { ...event.data, ...extra } });
    if (row.sessions) {
      const sessionIds = row.sessions.sort();
      await audit({ type: "session.revoked_all", customerId: row.id, data: { count: sessionIds.length, sessionIds, ...reason, ...extra } });
    }
    if (p.action === "REVOKE_SESSIONS" ? row.sessions : row.changed) affected++;
  }
  const changed = rows.filter((r) => r.changed).map((r) => r.id);
  return { seen: rows.map((r) => r.id), changed, affected, skipped: rows.length - affected };
}

/**
 * The sessions the action ends, in the same statement: the live sessions (sessions/service.ts
 * activeWhere, in SQL) of the customers DISABLE and BLOCK changed, of every selected customer for
 * REVOKE_SESSIONS, of none otherwise. Answers (customer_id, id).
 */
function endSessionsSql(ctx: ServiceContext, p: ActionParams): Prisma.Sql {
  const whose =
    p.action === "DISABLE" || p.action === "BLOCK"
      ? Prisma.sql`SELECT id FROM changed`
      : p.action === "REVOKE_SESSIONS"
        ? Prisma.sql`SELECT id FROM sel`
        : null;
  if (!whose) return Prisma.sql`SELECT NULL::uuid AS customer_id, NULL::uuid AS id WHERE FALSE`;
  const now = new Date();
  return Prisma.sql`UPDATE session s SET revoked_at = ${now}, revoked_by = ${revokedByOf(ctx.actor)}
    FROM (${whose}) w
    WHERE s.tenant_id = ${ctx.tenantId}::uuid AND s.customer_id = w.id AND s.revoked_at IS NULL AND s.expires_at > ${now}
      AND (s.idle_expires_at IS NULL OR s.idle_expires_at > ${now})
    RETURNING s.customer_id, s.id`;
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
      return { type: "customer.group_added", data: { groupId: p.groupId, name: p.groupName } };
    case "REMOVE_FROM_GROUP":
      return { type: "customer.group_removed", data: { groupId: p.groupId, name: p.groupName } };
    case "REVOKE_SESSIONS":
      return null;
  }
}

import type { Db } from "../../src/db/database.ts";
import { unsealAuditData } from "../../src/pii/audit-seal.ts";

/** Every base table of the database, so tables added by later migrations are watched too. */
async function allTables(db: Db): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ name: string }[]>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'
     ORDER BY table_name`,
  );
  return rows.map((r) => r.name);
}

const ROW_OF: Record<string, string> = {
  admin_credential: `to_jsonb(t) - 'last_used_at'`,
  tenant: `to_jsonb(t) || jsonb_build_object('audit_seq', t.audit_seq - (SELECT count(*) FROM audit_event e WHERE e.tenant_id = t.id AND e.type LIKE 'security.%'))`,
};

/** A row of `table` (aliased `t`) as it is compared: what a refused request must leave as it was. */
export const comparableRow = (table: string) => ROW_OF[table] ?? `to_jsonb(t)`;

/** The rows of `table` (aliased `t`) that are compared at all. */
export const comparedRows = (table: string) =>
  table === "audit_event" ? `t.type NOT LIKE 'security.%'` : table === "connector_delivery" ? `t.event_type NOT LIKE 'security.%'` : "TRUE";

/**
 * Every row of every table as JSON text, in a stable order — or, with `tenantId`, the rows of
 * every table with a tenant_id column plus that tenant's own row. Comparing two snapshots proves
 * that a failed mutation wrote nothing at all, not even an audit event or a sequence bump. A
 * credential's last_used_at is left out: authentication stamps it (at most once a minute),
 * whatever the request. `security.*` audit events (and the sequence numbers they take) are left
 * out too: they record a refusal (FORBIDDEN, a failed authentication, a rate limit), written in
 * the background by the security log, and are not a write of the refused request; so are the
 * connector deliveries those events queue.
 */
export async function snapshotDatabase(db: Db, tenantId?: string): Promise<Record<string, string[]>> {
  const snapshot: Record<string, string[]> = {};
  for (const table of await allTables(db)) {
    let where = "";
    if (tenantId) {
      const columns = await db.$queryRawUnsafe<{ name: string }[]>(
        `SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`,
        table,
      );
      if (table === "tenant") where = `WHERE t.id = '${tenantId}'::uuid`;
      else if (columns.some((c) => c.name === "tenant_id")) where = `WHERE t.tenant_id = '${tenantId}'::uuid`;
      else continue;
    }
    const row = comparableRow(table);
    where = `${where ? `${where} AND` : "WHERE"} ${comparedRows(table)}`;
    const rows = await db.$queryRawUnsafe<{ row: string }[]>(`SELECT (${row})::text AS row FROM "${table}" t ${where} ORDER BY 1`);
    snapshot[table] = rows.map((r) => r.row);
  }
  return snapshot;
}

/** Runs `act` and asserts the database is unchanged afterwards. */
export async function expectNoWrites<T>(db: Db, act: () => Promise<T>): Promise<T> {
  const before = await snapshotDatabase(db);
  const result = await act();
  const after = await snapshotDatabase(db);
  const { expect } = await import("vitest");
  expect(after).toEqual(before);
  return result;
}

/** The audit events of a tenant, oldest first, with their sealed PII opened (as the API shows them). */
export async function auditTrail(db: Db, tenantId: string) {
  return unsealAuditData(db, await db.auditEvent.findMany({ where: { tenantId }, orderBy: { seq: "asc" } }));
}

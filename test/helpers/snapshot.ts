import type { Db } from "../../src/db/database.ts";

const TABLES = ["tenant", "admin_credential", "customer", "contact", "identity", "custom_object", "session", "consent", "audit_event", "refresh_token", "one_time_token", "signing_key"];

/**
 * Every row of every table, in a stable order. Comparing two snapshots proves that a failed
 * mutation wrote nothing at all, not even an audit event or a sequence bump. A credential's
 * lastUsedAt is left out: authentication stamps it (at most once a minute), whatever the request.
 */
export async function snapshotDatabase(db: Db): Promise<Record<string, unknown[]>> {
  const snapshot: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    const rows = await db.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "${table}" ORDER BY id`);
    snapshot[table] = table === "admin_credential" ? rows.map(({ last_used_at: _, ...row }) => row) : rows;
  }
  return snapshot;
}

/** Runs `act` and asserts the database is byte-for-byte unchanged afterwards. */
export async function expectNoWrites<T>(db: Db, act: () => Promise<T>): Promise<T> {
  const before = await snapshotDatabase(db);
  const result = await act();
  const after = await snapshotDatabase(db);
  const { expect } = await import("vitest");
  expect(after).toEqual(before);
  return result;
}

/** The audit events of a tenant, oldest first. */
export function auditTrail(db: Db, tenantId: string) {
  return db.auditEvent.findMany({ where: { tenantId }, orderBy: { seq: "asc" } });
}

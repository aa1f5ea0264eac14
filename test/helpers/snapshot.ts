import type { Db } from "../../src/db/database.ts";

const TABLES = ["tenant", "admin_credential", "customer", "contact", "identity", "custom_object", "session", "consent", "audit_event"];

/**
 * Every row of every table, in a stable order. Comparing two snapshots proves that a failed
 * mutation wrote nothing at all, not even an audit event or a sequence bump.
 */
export async function snapshotDatabase(db: Db): Promise<Record<string, unknown[]>> {
  const snapshot: Record<string, unknown[]> = {};
  for (const table of TABLES) {
    snapshot[table] = await db.$queryRawUnsafe(`SELECT * FROM "${table}" ORDER BY id`);
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

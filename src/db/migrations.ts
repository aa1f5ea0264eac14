import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/** What the runner needs from a database: plain queries and a transaction. */
export interface MigrationTarget {
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  transaction(
    work: (tx: { exec(sql: string): Promise<void>; query(sql: string, params?: unknown[]): Promise<unknown> }) => Promise<void>,
  ): Promise<void>;
}

const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

// The bookkeeping table is Prisma's own, with the same columns and checksums, so
// `prisma migrate status` and `migrate deploy` agree with what this runner applied.
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/** The migrations a database has applied (and not rolled back), as `migration_name` rows. */
export const FINISHED_MIGRATIONS = `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;

/** The migrations this build ships: the folders of prisma/migrations, in the order they apply. */
export async function migrationNames(dir = MIGRATIONS_DIR): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

// Any constant works; it only has to be the same on every gateway node.
const LOCK_KEY = 7_231_406_118;

/**
 * Applies every migration in prisma/migrations that the database has not seen, each in its own
 * transaction, in name order. Safe to run from several gateway nodes at once: they queue on an
 * advisory lock. Returns the names it applied.
 */
export async function applyMigrations(db: MigrationTarget, dir = MIGRATIONS_DIR): Promise<string[]> {
  const names = await migrationNames(dir);
  const applied: string[] = [];
  await db.query(`SELECT pg_advisory_lock(${LOCK_KEY})`);
  try {
    await db.query(CREATE_TABLE);
    const done = new Set((await db.query(FINISHED_MIGRATIONS)).map((r) => r.migration_name as string));
    for (const name of names) {
      if (done.has(name)) continue;
      const sql = await readFile(`${dir}/${name}/migration.sql`, "utf8");
      const checksum = createHash("sha256").update(sql).digest("hex");
      await db.transaction(async (tx) => {
        await tx.exec(sql);
        await tx.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)`,
          [randomUUID(), checksum, name],
        );
      });
      applied.push(name);
    }
  } finally {
    await db.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
  }
  return applied;
}

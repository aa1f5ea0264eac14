import type { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { ArgType, SqlDriverAdapterFactory, SqlQueryable } from "@prisma/driver-adapter-utils";
import { PrismaClient } from "../generated/prisma/client.ts";
import { applyMigrations, type MigrationTarget } from "./migrations.ts";
import { secureDataDir, tightenDataDir } from "./data-dir.ts";
import { lockDataDir } from "./pglite-lock.ts";

export type Db = PrismaClient;
/** PostgreSQL by URL, or embedded PGlite in a folder (in memory when `dataDir` is absent). */
export type DatabaseOptions = { kind: "postgres"; url: string } | { kind: "pglite"; dataDir?: string };

/**
 * One read statement on the driver adapter Prisma itself uses, without Prisma's client runtime:
 * for hot reads where that runtime costs more than the statement (measured on PostgreSQL: a
 * primary-key read runs ~2.5× faster on the adapter than through the Prisma client, as fast as
 * plain pg). Parameters are strings, numbers, booleans or null (cast them in the SQL, e.g.
 * `$1::uuid`); values come back as the adapter gives
 * them — text, uuids and enums as strings, booleans, int4 as numbers; compute times and JSON in
 * the SQL (e.g. `expires_at > now()`). Not for writes and never inside `transact()` (it runs on
 * its own connection; on PGlite it waits for the open transaction).
 */
export type Sql = (text: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export interface Database {
  prisma: Db;
  sql: Sql;
  kind: DatabaseOptions["kind"];
  /** PostgreSQL: the pg pool's connections now (metrics). Absent on PGlite: one connection, in process. */
  poolStats?(): PoolStats;
  close(): Promise<void>;
}

export interface PoolStats {
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
}

/**
 * Opens the database the configuration names, applies pending migrations, and returns a Prisma
 * client over it. PGlite runs in this process (one connection, transactions serialized);
 * PostgreSQL goes through a pg pool. `wrapAdapter` lets tests count SQL statements.
 */
export async function openDatabase(
  options: DatabaseOptions,
  wrapAdapter: (a: SqlDriverAdapterFactory) => SqlDriverAdapterFactory = (a) => a,
): Promise<Database> {
  if (options.kind === "pglite") {
    const dataDir = options.dataDir;
    if (dataDir) {
      const warning = secureDataDir(dataDir);
      if (warning) console.warn(warning);
    }
    const unlock = dataDir ? lockDataDir(dataDir) : () => undefined;
    try {
      // Imported only here: loading PGlite costs ~40 MB of RSS, which a gateway or CLI on
      // PostgreSQL would otherwise carry unused (measured: 130 → 90 MB for the CLI's export).
      const [{ PGlite }, { pg_trgm }, { PrismaPGlite }] = await Promise.all([
        import("@electric-sql/pglite"),
        import("@electric-sql/pglite/contrib/pg_trgm"),
        import("pglite-prisma-adapter"),
      ]);
      const pglite = await PGlite.create({ dataDir, extensions: { pg_trgm } });
      await applyMigrations(pgliteTarget(pglite));
      if (dataDir) tightenDataDir(dataDir);
      const adapter = wrapAdapter(new PrismaPGlite(pglite));
      const prisma = new PrismaClient({ adapter });
      return {
        prisma,
        sql: sqlOn(await adapter.connect()),
        kind: "pglite",
        async close() {
          await prisma.$disconnect();
          await pglite.close();
          if (dataDir) tightenDataDir(dataDir);
          unlock();
        },
      };
    } catch (error) {
      unlock();
      throw error;
    }
  }
  const client = new pg.Client({ connectionString: options.url });
  await client.connect();
  try {
    await applyMigrations(pgTarget(client));
  } finally {
    await client.end();
  }
  const pool = new pg.Pool({ connectionString: options.url, max: 10 });
  // An idle connection dropped by the server (restart, failover, admin shutdown) is an 'error'
  // on the pool; unhandled it would crash the process. The pool replaces the connection anyway.
  pool.on("error", (error) => console.warn(`PostgreSQL connection lost: ${error.message}`));
  const adapter = wrapAdapter(new PrismaPg(pool));
  const prisma = new PrismaClient({ adapter });
  return {
    prisma,
    sql: sqlOn(await adapter.connect()),
    kind: "postgres",
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

function sqlOn(adapter: SqlQueryable): Sql {
  return async (text, params = []) => {
    const argTypes = params.map((value): ArgType => ({ arity: "scalar", scalarType: scalarTypeOf(value) }));
    const result = await adapter.queryRaw({ sql: text, args: params, argTypes });
    return result.rows.map((row) => Object.fromEntries(result.columnNames.map((name, i) => [name, row[i]])));
  };
}

function scalarTypeOf(value: unknown): ArgType["scalarType"] {
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "bigint") return "bigint";
  return "string";
}

/** The migration runner's view of a PGlite database (also used by the migration tests). */
export function pgliteTarget(db: PGlite): MigrationTarget {
  return {
    query: async (sql, params) => (await db.query<Record<string, unknown>>(sql, params)).rows,
    transaction: async (work) => {
      await db.transaction(async (tx) => {
        await work({ exec: async (sql) => void (await tx.exec(sql)), query: (sql, params) => tx.query(sql, params) });
      });
    },
  };
}

function pgTarget(client: pg.Client): MigrationTarget {
  return {
    query: async (sql, params) => (await client.query(sql, params)).rows,
    transaction: async (work) => {
      await client.query("BEGIN");
      try {
        await work({ exec: async (sql) => void (await client.query(sql)), query: (sql, params) => client.query(sql, params) });
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      }
    },
  };
}

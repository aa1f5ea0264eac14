import { randomBytes } from "node:crypto";
import pg from "pg";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { openDatabase, type Database } from "../../src/db/database.ts";

/** Which database the current vitest project runs against (see vitest.config.ts). */
export const TEST_DB = (process.env.TEST_DB ?? "pglite") as "pglite" | "postgres";

/** Counts SQL statements sent through Prisma, for N+1 tests. */
export interface StatementCounter {
  count: number;
  sql: string[];
  reset(): void;
}

/**
 * Wraps a Prisma driver adapter factory so that `counter` sees every statement sent through it;
 * with `beginToo`, also the BEGIN each transaction sends by itself (bench/write.ts counts round
 * trips; the N+1 tests count queries); with `queries`, each statement with its arguments
 * (bench/search.ts runs EXPLAIN ANALYZE on them). Shared by the tests and the benchmarks.
 */
export function countingAdapter(
  factory: SqlDriverAdapterFactory,
  counter: Pick<StatementCounter, "count" | "sql"> & { queries?: { sql: string; args: unknown[] }[] },
  { beginToo = false } = {},
): SqlDriverAdapterFactory {
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(obj, prop, receiver) {
        const value = Reflect.get(obj, prop, receiver);
        if (typeof value !== "function") return value;
        if (prop === "queryRaw" || prop === "executeRaw") {
          return (query: { sql: string; args: unknown[] }) => {
            counter.count++;
            counter.sql.push(query.sql);
            counter.queries?.push(query);
            return value.call(obj, query);
          };
        }
        if (prop === "startTransaction") {
          return async (...args: unknown[]) => {
            if (beginToo) {
              counter.count++;
              counter.sql.push("BEGIN");
            }
            return wrap(await value.apply(obj, args));
          };
        }
        return value.bind(obj);
      },
    });
  return new Proxy(factory, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (prop === "connect") return async () => wrap(await value.call(obj));
      return typeof value === "function" ? value.bind(obj) : value;
    },
  });
}

/**
 * A fresh, migrated database for one test file: in-memory PGlite, or a new database on the
 * TEST_DATABASE_URL server that is dropped again on close.
 */
export async function createTestDatabase(): Promise<{
  database: Database;
  statements: StatementCounter;
  /** PostgreSQL only: the database's URL, for a separate process (the CLI) to open. */
  url?: string;
  close(): Promise<void>;
}> {
  const statements: StatementCounter = {
    count: 0,
    sql: [],
    reset() {
      this.count = 0;
      this.sql = [];
    },
  };
  const wrap = (a: SqlDriverAdapterFactory) => countingAdapter(a, statements);
  if (TEST_DB === "pglite") {
    const database = await openDatabase({ kind: "pglite" }, wrap);
    return { database, statements, close: () => database.close() };
  }
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) throw new Error("TEST_DB=postgres needs TEST_DATABASE_URL");
  const name = `gateway_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: "postgres", url: url.toString() }, wrap);
  return {
    database,
    statements,
    url: url.toString(),
    async close() {
      await database.close();
      // pool.end() resolves before every socket is gone; dropping a database under a closing
      // connection makes the server kill it, which pg reports as an error. Wait until it is idle.
      for (let i = 0; i < 100 && (await backendCount(serverUrl, name)) > 0; i++) await new Promise((r) => setTimeout(r, 20));
      await adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

async function adminQuery(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function backendCount(url: string, database: string): Promise<number> {
  const [row] = await adminQuery(url, "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [database]);
  return row.n;
}

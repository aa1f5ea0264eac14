import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import { createApp, type App } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/database.ts";

// What every benchmark on PostgreSQL needs: a scratch database of its own on the server
// (DATABASE_URL, default the local one), and gateway nodes as separate processes.

export const SERVER_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

/** One statement on the server's maintenance database (CREATE/DROP DATABASE, pg_stat_activity). */
export async function serverQuery<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Creates a fresh database named `bench_<prefix>_<random>`, runs `work` with its URL, and drops it
 * again whatever happens. A pg pool's end() resolves before its sockets have closed, and a
 * connection killed by DROP … WITH (FORCE) meanwhile would crash the process with an unhandled
 * 'error': the drop waits (up to 5 s) for the connections to go first.
 */
export async function withScratchDatabase<T>(prefix: string, work: (url: string) => Promise<T>): Promise<T> {
  const name = `bench_${prefix}_${randomBytes(6).toString("hex")}`;
  await serverQuery(`CREATE DATABASE "${name}"`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  try {
    return await work(url.toString());
  } finally {
    for (let i = 0; i < 50; i++) {
      const [{ n }] = await serverQuery<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [name]);
      if (n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await serverQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

/** Starts a gateway node as its own process (bench/fanout-node.ts); resolves with its GraphQL URL. */
export function startGatewayProcess(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/fanout-node.ts"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      const match = /READY (\S+)/.exec(chunk.toString());
      if (match) resolve({ url: match[1], child });
    });
    child.once("exit", (code) => reject(new Error(`gateway node exited with ${code}`)));
  });
}

/**
 * The gateway in this process on a scratch database, as the throughput benchmarks drive it through
 * `app.yoga.fetch`: silent, no bootstrap tenant, the admin credential's rate limit lifted (the
 * benchmark is one credential on purpose). `wrap` lets a benchmark count statements; `env` adds settings.
 */
export async function benchGateway(
  databaseUrl: string,
  wrap?: (a: SqlDriverAdapterFactory) => SqlDriverAdapterFactory,
  env: Record<string, string> = {},
): Promise<App> {
  const database = await openDatabase({ kind: "postgres", url: databaseUrl }, wrap);
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    BOOTSTRAP: "false",
    DATABASE_URL: databaseUrl,
    RATE_LIMIT_ADMIN_PER_CREDENTIAL: "9999999/60",
    // As in production: with a master key, audited writes seal their PII (src/pii/). The connector
    // worker it would switch on stays off, as it was without one (its polls would count as the ops').
    MASTER_KEY: randomBytes(32).toString("base64"),
    CONNECTOR_WORKER_INTERVAL_MS: "0",
    ...env,
  });
  return createApp({ config, database });
}

/**
 * Keeps `inFlight` calls of `op(worker)` going: one second of warm-up, then `seconds` measured.
 * `atStart` runs between the two (a benchmark reading counters before the measured part). Returns
 * the calls completed while measured and how long that took, in seconds.
 */
export async function keepInFlight(
  inFlight: number,
  seconds: number,
  op: (worker: number) => Promise<unknown>,
  atStart?: () => void,
): Promise<{ ops: number; seconds: number }> {
  const until = async (deadline: number) => {
    let ops = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async (_, worker) => {
        while (performance.now() < deadline) {
          await op(worker);
          ops++;
        }
      }),
    );
    return ops;
  };
  await until(performance.now() + 1000);
  atStart?.();
  const started = performance.now();
  const ops = await until(started + seconds * 1000);
  return { ops, seconds: (performance.now() - started) / 1000 };
}

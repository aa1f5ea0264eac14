import type { Database } from "../db/database.ts";
import { FINISHED_MIGRATIONS, migrationNames } from "../db/migrations.ts";
import type { Logger } from "../logger.ts";

/** How long one readiness check may take before it counts as failed. */
export const CHECK_TIMEOUT_MS = 2_000;

export interface ReadinessSources {
  database: Pick<Database, "sql">;
  /** The Redis connections to PING (event bus, rate limiters); empty without REDIS_URL. */
  redis: { ping(): Promise<void> }[];
  /** True once the node has begun to stop: a load balancer should send it nothing new. */
  stopping(): boolean;
  logger: Logger;
}

export interface CheckResult {
  ok: boolean;
  ms: number;
  /** Why it failed, in words that name no host, address or tenant (the endpoint is public). */
  error?: string;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, CheckResult>;
}

/** A failure whose message may be shown on the public endpoint. */
class CheckFailed extends Error {}

/**
 * What GET /ready answers: each check (database, migrations, redis when configured, not stopping)
 * run at once, each bounded by `timeoutMs`. Cost per call: two statements (`SELECT 1` and the
 * applied-migrations read, one indexed scan of a table of ~100 rows) and a PING per Redis
 * connection. The causes of failures go to the log (warn), not to the caller.
 */
export function createReadiness(sources: ReadinessSources, timeoutMs = CHECK_TIMEOUT_MS): () => Promise<Readiness> {
  // The folders this build ships do not change while it runs: listed once.
  let shipped: Promise<string[]> | undefined;
  const checks: Record<string, () => Promise<void>> = {
    database: async () => void (await sources.database.sql("SELECT 1")),
    migrations: async () => {
      shipped ??= migrationNames();
      const done = new Set((await sources.database.sql(FINISHED_MIGRATIONS)).map((row) => row.migration_name));
      const missing = (await shipped).filter((name) => !done.has(name));
      if (missing.length > 0) throw new CheckFailed(`${missing.length} migration(s) not applied, first ${missing[0]}`);
    },
    ...(sources.redis.length > 0 ? { redis: async () => void (await Promise.all(sources.redis.map((client) => client.ping()))) } : {}),
    stopping: async () => {
      if (sources.stopping()) throw new CheckFailed("the node is shutting down");
    },
  };
  return async () => {
    const entries = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => [name, await timed(name, check, timeoutMs, sources.logger)] as const),
    );
    return { ready: entries.every(([, result]) => result.ok), checks: Object.fromEntries(entries) };
  };
}

async function timed(name: string, check: () => Promise<void>, timeoutMs: number, logger: Logger): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckFailed(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return { ok: true, ms: elapsed(started) };
  } catch (error) {
    logger.warn({ err: error, check: name }, "readiness check failed");
    return { ok: false, ms: elapsed(started), error: error instanceof CheckFailed ? error.message : "unreachable" };
  } finally {
    clearTimeout(timer);
  }
}

const elapsed = (started: number) => Math.round(performance.now() - started);

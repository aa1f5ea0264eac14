// npm run bench:bulk — issue 14's bulk quick actions: BENCH_CUSTOMERS customers (default 100,000)
// loaded by COPY into a fresh tenant on PostgreSQL, then a bulk DISABLE selected by a filter
// (status ACTIVE and username starting with "bulk-") run as a job by the bulk worker's own code
// (src/bulk/: runBulkAction queues it, drainBulkJobs claims and runs it in batches of BENCH_BATCH,
// default 1,000: per batch one locking UPDATE, one session UPDATE, one audit statement with one
// customer.disabled per customer and their connector outbox rows, the job's counters and cursor).
// Baseline in the same run, on the same rows reset to ACTIVE and vacuumed: the hand-written
// `UPDATE customer SET status = 'DISABLED' WHERE <the same condition>` in one statement (no
// events, no sessions, no job). Reports customers/s of both and the ratio. Goal: ≥ 0.25×.
//
// Runs on a scratch database of its own (bench/harness.ts withScratchDatabase), on the server that
// DATABASE_URL names (default postgresql://postgres@127.0.0.1:5432/postgres). NO_RECORD=1 skips
// bench/RESULTS.md.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { runBulkAction } from "../src/bulk/service.ts";
import { drainBulkJobs } from "../src/bulk/worker.ts";
import { openDatabase } from "../src/db/database.ts";
import { createLocalEventBus } from "../src/events/bus.ts";
import { serviceContext } from "../src/service-context.ts";
import { createTenant } from "../src/tenants/service.ts";
import { withScratchDatabase } from "./harness.ts";
import { loadDuring, machine, recordResults } from "./machine.ts";

const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 100_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 1_000);
const FILTER = { status: ["ACTIVE" as const], username: { startsWith: "bulk-" } };

async function query(connectionString: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/** COPY of the customers (uid, username, ACTIVE) into the tenant. */
async function load(url: string, tenantId: string, dir: string): Promise<void> {
  const file = join(dir, "customer.csv");
  const out = createWriteStream(file);
  for (let i = 0; i < CUSTOMERS; i++) {
    const row = `${randomUUID()},${tenantId},u${i},bulk-${i},ACTIVE,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z\n`;
    if (!out.write(row)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  execFileSync("psql", [
    url,
    "-q",
    "-v",
    "ON_ERROR_STOP=1",
    "-c",
    `\\copy customer (id, tenant_id, uid, username, status, created_at, updated_at) FROM '${file}' CSV`,
  ]);
  await query(url, "VACUUM ANALYZE customer");
}

/** The job and the baseline on a scratch database: their seconds and the events the job wrote. */
async function measure(url: string) {
  const database = await openDatabase({ kind: "postgres", url });
  const events = createLocalEventBus();
  const { tenant } = await createTenant(database.prisma, events, { slug: "bench" });
  const ctx = serviceContext({ db: database.prisma, events }, tenant.id, { kind: "SYSTEM", id: "bench" });
  const dir = mkdtempSync(join(tmpdir(), "bench-bulk-"));
  await load(url, tenant.id, dir);

  // The bulk job, as the API would start it (filter selection, the count the caller saw).
  const started = performance.now();
  const run = await runBulkAction(ctx, { action: "DISABLE", selection: { filter: FILTER }, expectedCount: CUSTOMERS });
  if (run.kind !== "job") throw new Error("expected a job");
  await drainBulkJobs({ db: database.prisma, events, batchSize: BATCH, leaseMs: 120_000 });
  const jobSeconds = (performance.now() - started) / 1000;
  const job = await database.prisma.job.findUniqueOrThrow({ where: { id: run.job.id } });
  if (job.status !== "COMPLETED" || job.updated !== CUSTOMERS) throw new Error(`job ended ${job.status}: ${JSON.stringify(job)}`);
  const disabledEvents = await database.prisma.auditEvent.count({ where: { type: "customer.disabled" } });
  const progressEvents = await database.prisma.auditEvent.count({ where: { type: "bulk_action.progressed" } });
  if (disabledEvents !== CUSTOMERS) throw new Error(`${disabledEvents} customer.disabled events for ${CUSTOMERS} customers`);

  // Baseline: the same rows, reset and vacuumed, disabled by one hand-written UPDATE.
  await query(url, "UPDATE customer SET status = 'ACTIVE'");
  await query(url, "VACUUM ANALYZE customer");
  const baselineStarted = performance.now();
  const updated = await query(
    url,
    `UPDATE customer SET status = 'DISABLED', updated_at = now() WHERE tenant_id = $1 AND status = 'ACTIVE' AND username LIKE 'bulk-%'`,
    [tenant.id],
  );
  const baselineSeconds = (performance.now() - baselineStarted) / 1000;
  if (updated.rowCount !== CUSTOMERS) throw new Error(`baseline updated ${updated.rowCount}`);
  await database.close();
  rmSync(dir, { recursive: true, force: true });
  return { jobSeconds, baselineSeconds, disabledEvents, progressEvents };
}

async function main() {
  const loadAvg = loadDuring();
  const { jobSeconds, baselineSeconds, disabledEvents, progressEvents } = await withScratchDatabase("bulk", measure);

  const rate = CUSTOMERS / jobSeconds;
  const baseRate = CUSTOMERS / baselineSeconds;
  const ratio = rate / baseRate;
  const table = [
    "| | customers | seconds | customers/s | vs UPDATE |",
    "| --- | ---: | ---: | ---: | ---: |",
    `| bulk DISABLE job (batches of ${BATCH}, events, sessions) | ${CUSTOMERS} | ${jobSeconds.toFixed(2)} | ${Math.round(rate)} | ${ratio.toFixed(2)}× |`,
    `| hand-written UPDATE (one statement) | ${CUSTOMERS} | ${baselineSeconds.toFixed(2)} | ${Math.round(baseRate)} | 1× |`,
  ].join("\n");
  const verdict = `Goal (≥ 0.25× the UPDATE): ${ratio >= 0.25 ? "met" : "not met"}. Events: ${disabledEvents} customer.disabled, ${progressEvents} bulk_action.progressed.`;
  console.log(`\n${table}\n\n${verdict}`);
  recordResults(
    `\n## bench:bulk — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC\n\n${machine()}, PostgreSQL (same machine). ${loadAvg()}\n` +
      `${CUSTOMERS.toLocaleString("en")} customers loaded by COPY; a bulk DISABLE selected by a filter (status, username prefix) run as a job vs one hand-written UPDATE of the same rows.\n\n${table}\n\n${verdict}\n`,
  );
}

await main();
process.exit(0);

// npm run bench:import — issue 12's import throughput: BENCH_ROWS customers (default 1,000,000)
// as NDJSON (uid, email, names, a foreign password hash: half bcrypt, half pbkdf2-sha256 strings,
// drawn from a small pool computed before the run — import never hashes) imported by the import
// service (src/imports/, the same code as the CLI and the API) into a fresh tenant on PostgreSQL,
// in batches of BENCH_BATCH (default 5,000). Baseline in the same run: psql's \copy of the same
// customers and their emails as CSV into scratch copies of the customer and contact tables
// (LIKE … INCLUDING ALL: the same indexes, no foreign keys or triggers), the floor for loading
// these rows. Reports customers/s, the ratio to COPY and the peak RSS.
// Goal at a million: at least 50,000 customers/s and 0.25× COPY.
//
// Runs on a database of its own, bench_import (dropped and created again), on the server that
// DATABASE_URL names (default postgresql://postgres@127.0.0.1:5432/postgres). NO_RECORD=1 skips
// bench/RESULTS.md.
import { execFileSync } from "node:child_process";
import { pbkdf2Sync } from "node:crypto";
import bcrypt from "bcryptjs";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { openDatabase } from "../src/db/database.ts";
import { createLocalEventBus } from "../src/events/bus.ts";
import { importNow } from "../src/imports/service.ts";
import { formatForeignHash } from "../src/passwords/foreign-formats.ts";
import { serviceContext } from "../src/service-context.ts";
import { createTenant } from "../src/tenants/service.ts";
import { loadDuring, machine, recordResults } from "./machine.ts";

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 5_000);
const SERVER = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
const NAME = "bench_import";
const url = (() => {
  const u = new URL(SERVER);
  u.pathname = `/${NAME}`;
  return u.toString();
})();

async function serverQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  await client.query(sql);
  await client.end();
}

/** Writes `rows` lines made by `line` with backpressure. */
async function writeLines(path: string, rows: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < rows; i++) if (!out.write(line(i))) await once(out, "drain");
  out.end();
  await once(out, "finish");
}

async function main() {
  const load = loadDuring();
  await serverQuery(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
  await serverQuery(`CREATE DATABASE ${NAME}`);
  const database = await openDatabase({ kind: "postgres", url });
  const events = createLocalEventBus();
  const { tenant } = await createTenant(database.prisma, events, { slug: "bench" });
  const ctx = serviceContext({ db: database.prisma, events }, tenant.id, { kind: "SYSTEM", id: "bench" });
  const dir = mkdtempSync(join(tmpdir(), "bench-import-"));
  // Real hashes (bcrypt cost 10; pbkdf2-sha256 at 600,000 iterations, OWASP's figure), a pool of
  // POOL of each: computing a million would take hours, and the import treats every string alike.
  const POOL = 4;
  const hashes = Array.from({ length: POOL }, (_, i) => [
    bcrypt.hashSync(`bench-password-${i}`, 10),
    formatForeignHash("pbkdf2-sha256", {
      salt: Buffer.from(`bench-salt-${i}`),
      hash: pbkdf2Sync(`bench-password-${i}`, `bench-salt-${i}`, 600_000, 32, "sha256"),
      params: { i: 600_000, l: 32 },
    }),
  ]).flat();
  /** Row i's hash: even rows bcrypt, odd rows pbkdf2. */
  const hash = (i: number) => hashes[i % hashes.length]!;
  const file = join(dir, "customers.ndjson");
  await writeLines(
    file,
    ROWS,
    (i) =>
      JSON.stringify({ uid: `u${i}`, email: `user${i}@bench.example`, firstName: "Bench", lastName: `User${i}`, passwordHash: hash(i) }) +
      "\n",
  );

  const started = performance.now();
  const job = await importNow(ctx, { path: file, name: "customers.ndjson", temporary: false }, { batchSize: BATCH });
  const importSeconds = (performance.now() - started) / 1000;
  if (job.status !== "COMPLETED" || job.imported !== ROWS) throw new Error(`import ended ${job.status}: ${JSON.stringify(job)}`);
  const rss = process.resourceUsage().maxRSS / 1024;

  // Baseline: COPY of the same rows (customer + its email) into scratch tables with the same indexes.
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE TABLE copy_customer (LIKE customer INCLUDING ALL); CREATE TABLE copy_contact (LIKE contact INCLUDING ALL)`);
  await client.end();
  const customers = join(dir, "customer.csv");
  const contacts = join(dir, "contact.csv");
  const id = (i: number, kind: number) => `00000000-0000-4000-${kind}000-${i.toString(16).padStart(12, "0")}`;
  await writeLines(customers, ROWS, (i) => `${id(i, 8)},${tenant.id},u${i},Bench,User${i},bench user${i},"${hash(i)}"\n`);
  await writeLines(contacts, ROWS, (i) => `${id(i, 9)},${tenant.id},${id(i, 8)},EMAIL,user${i}@bench.example,user${i}@bench.example,t,f\n`);
  const copyStarted = performance.now();
  execFileSync("psql", [
    url,
    "-q",
    "-v",
    "ON_ERROR_STOP=1",
    "-c",
    `\\copy copy_customer (id, tenant_id, uid, first_name, last_name, name_search, password_hash) FROM '${customers}' CSV`,
    "-c",
    `\\copy copy_contact (id, tenant_id, customer_id, kind, value, normalized, "primary", verified) FROM '${contacts}' CSV`,
  ]);
  const copySeconds = (performance.now() - copyStarted) / 1000;
  await database.close();
  rmSync(dir, { recursive: true, force: true });
  await serverQuery(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);

  const rate = ROWS / importSeconds;
  const copyRate = ROWS / copySeconds;
  const ratio = rate / copyRate;
  const table = [
    "| | customers | seconds | customers/s | vs COPY | peak RSS MiB |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    `| import (batches of ${BATCH}) | ${ROWS} | ${importSeconds.toFixed(1)} | ${Math.round(rate)} | ${ratio.toFixed(2)}× | ${rss.toFixed(0)} |`,
    `| COPY (customer + contact) | ${ROWS} | ${copySeconds.toFixed(1)} | ${Math.round(copyRate)} | 1× | – |`,
  ].join("\n");
  const verdict = `Goals (≥ 50,000/s, ≥ 0.25× COPY): ${rate >= 50_000 ? "met" : "not met"}, ${ratio >= 0.25 ? "met" : "not met"}.`;
  console.log(`\n${table}\n\n${verdict}`);
  recordResults(
    `\n## bench:import — ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC\n\n${machine()}, PostgreSQL (same machine). ${load()}\n` +
      `NDJSON of ${ROWS.toLocaleString("en")} customers (uid, email, names, bcrypt and pbkdf2 hash strings, half each) through the import service; COPY by psql of the same customers and emails.\n\n${table}\n\n${verdict}\n`,
  );
}

await main();
process.exit(0);

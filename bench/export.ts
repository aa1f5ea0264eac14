// npm run bench:export — issue 12's export at a million customers: the export engine (the code
// GET /exports/<link> and the CLI run) writing CSV and NDJSON to a sink that discards the bytes,
// rows/s and peak RSS, beside PostgreSQL's own `COPY (SELECT the same columns) TO STDOUT` in the
// same run (the floor: what the server alone needs to produce them). Goal: ≥ 100,000 rows/s in
// < 256 MB RSS.
//
// Runs on PostgreSQL (DATABASE_URL names the server) against bench:search's seeded database
// (bench/search/seed.ts: reused while its seed matches, so a run after bench:search seeds
// nothing). Options: --customers N (default 1000000; try 20000), --reseed. NO_RECORD=1 skips
// bench/RESULTS.md. Peak RSS is the process's high-water mark: when this run seeded the database,
// the seeding's peak is included (run it again to measure the export alone).
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import type { App } from "../src/app.ts";
import { DEFAULT_FIELDS, FIELD_SQL } from "../src/exports/fields.ts";
import { exportCustomers } from "../src/exports/service.ts";
import { serviceContext } from "../src/service-context.ts";
import { loadDuring, machine, recordResults } from "./machine.ts";
import { seededDatabase } from "./search/seed.ts";

const { values: options } = parseArgs({
  options: { customers: { type: "string", default: "1000000" }, reseed: { type: "boolean", default: false } },
});
const CUSTOMERS = Number(options.customers);
const GOAL_ROWS_PER_S = 100_000;
const GOAL_RSS_MB = 256;

/** A sink that counts and drops what it is given, asynchronously (backpressure still applies). */
const discard = () => {
  let bytes = 0;
  const sink = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer | string, _enc, done) {
      bytes += chunk.length;
      setImmediate(done);
    },
  });
  return { sink, bytes: () => bytes };
};

const rssMb = () => process.resourceUsage().maxRSS / 1024;

interface Line {
  label: string;
  rows: number;
  mb: number;
  seconds: number;
  peakMb: number;
}

async function viaEngine(app: App, tenantId: string, format: "CSV" | "NDJSON"): Promise<Line> {
  const ctx = serviceContext({ db: app.database.prisma, events: app.events }, tenantId, { kind: "SYSTEM", id: "bench" });
  const { sink } = discard();
  const started = performance.now();
  const stats = await exportCustomers(ctx, { format }, sink);
  return {
    label: `engine ${format}`,
    rows: stats.rows,
    mb: stats.bytes / 1e6,
    seconds: (performance.now() - started) / 1000,
    peakMb: rssMb(),
  };
}

async function viaCopy(url: string, tenantId: string): Promise<Line> {
  const columns = DEFAULT_FIELDS.map((f) => `${FIELD_SQL[f]} AS "${f}"`).join(", ");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { sink, bytes } = discard();
    const started = performance.now();
    const source = client.query(
      copyTo(
        `COPY (SELECT ${columns} FROM customer c WHERE c.tenant_id = '${tenantId}' ORDER BY c.created_at, c.id) TO STDOUT WITH (FORMAT csv, HEADER)`,
      ),
    );
    await new Promise<void>((resolve, reject) => source.pipe(sink).on("finish", resolve).on("error", reject));
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM customer WHERE tenant_id = $1`, [tenantId]);
    return {
      label: "COPY … TO STDOUT (csv)",
      rows: Number(rows[0].n),
      mb: bytes() / 1e6,
      seconds: (performance.now() - started) / 1000,
      peakMb: rssMb(),
    };
  } finally {
    await client.end();
  }
}

/** GraphQL as the seed's admin (it defines the custom fields through defineCustomField). */
const poster = (app: App, headers: Record<string, string>) => async (query: string, variables: Record<string, unknown>) => {
  const response = await app.yoga.fetch("http://bench/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: Record<string, unknown>; errors?: unknown };
  if (!body.data) throw new Error(`GraphQL answered ${JSON.stringify(body).slice(0, 800)}`);
  return body.data;
};

const load = loadDuring();
const seeded = await seededDatabase(CUSTOMERS, options.reseed ?? false, poster);
// The gateway's own footprint before the first export (Prisma's runtime, modules, pools).
const baselineMb = rssMb();
const lines: Line[] = [];
try {
  lines.push(await viaEngine(seeded.app, seeded.tenantId, "CSV"));
  lines.push(await viaEngine(seeded.app, seeded.tenantId, "NDJSON"));
  lines.push(await viaCopy(seeded.url, seeded.tenantId));
} finally {
  await seeded.app.stop();
  await seeded.app.database.close();
}

const table = lines.map((l) => {
  const rate = l.rows / l.seconds;
  const goal = l.label.startsWith("engine") ? (rate >= GOAL_ROWS_PER_S && l.peakMb < GOAL_RSS_MB ? " ✔" : " ✘") : "";
  return `| ${l.label} | ${l.rows} | ${l.mb.toFixed(1)} MB | ${l.seconds.toFixed(2)} s | ${Math.round(rate)}${goal} | ${Math.round(l.peakMb)} MB |`;
});
const section = `
## bench:export — ${new Date().toISOString()}

${machine()}. ${load()} ${CUSTOMERS} customers (database ${seeded.reused ? "reused" : `seeded in ${seeded.seedSeconds.toFixed(0)} s`}).
Goal: ≥ ${GOAL_ROWS_PER_S} rows/s in < ${GOAL_RSS_MB} MB peak RSS (the default fields, to a discarding sink).
Peak RSS before the first export (the gateway open, nothing exported): ${Math.round(baselineMb)} MB.

| export | rows | size | time | rows/s | peak RSS |
|---|---|---|---|---|---|
${table.join("\n")}
`;
console.log(section);
recordResults(section);

// npm run bench:export — issue 12's export at a million customers: the export engine (the code
// GET /exports/<link> and the CLI run) writing CSV and NDJSON to a sink that discards the bytes,
// each export in a fresh child process (bench/export-run.ts: what the CLI loads, nothing else) so
// that its peak RSS is what an export costs; beside PostgreSQL's own `COPY (SELECT the same CSV
// columns) TO STDOUT` in the same run (the limit: what the server alone needs to produce them).
// Goal: ≥ 100,000 rows/s in < 256 MB RSS. Compare ratios to COPY within one run: the machine may
// be shared.
//
// Runs on PostgreSQL (DATABASE_URL names the server) against bench:search's seeded database
// (bench/search/seed.ts: reused while its seed matches, so a run after bench:search seeds
// nothing). Options: --customers N (default 1000000; try 20000), --reseed, --page-sizes 2000,5000
// (default the engine's). NO_RECORD=1 skips bench/RESULTS.md.
import { execFile } from "node:child_process";
import { Writable } from "node:stream";
import { promisify } from "node:util";
import { parseArgs } from "node:util";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import type { App } from "../src/app.ts";
import { DEFAULT_PAGE_SIZE } from "../src/exports/engine.ts";
import { customerFromSql, DEFAULT_FIELDS, FIELD_SQL } from "../src/exports/fields.ts";
import { loadDuring, machine, recordResults } from "./machine.ts";
import { seededDatabase } from "./search/seed.ts";

const { values: options } = parseArgs({
  options: {
    customers: { type: "string", default: "1000000" },
    reseed: { type: "boolean", default: false },
    "page-sizes": { type: "string", default: String(DEFAULT_PAGE_SIZE) },
  },
});
const CUSTOMERS = Number(options.customers);
const PAGE_SIZES = options["page-sizes"].split(",").map(Number);
const GOAL_ROWS_PER_S = 100_000;
const GOAL_RSS_MB = 256;

interface Line {
  label: string;
  rows: number;
  mb: number;
  seconds: number;
  /** The exporting process's peak RSS: open and idle, and at the end. */
  idleMb?: number;
  peakMb?: number;
}

/** One export in a fresh `node --import tsx bench/export-run.ts` (what the CLI loads). */
async function viaEngine(url: string, tenantId: string, format: "CSV" | "NDJSON", pageSize: number): Promise<Line> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", new URL("export-run.ts", import.meta.url).pathname, tenantId, format, String(pageSize)],
    { env: { ...process.env, DATABASE_URL: url }, maxBuffer: 1 << 20 },
  );
  const run = JSON.parse(stdout.trim().split("\n").at(-1)!) as {
    rows: number;
    bytes: number;
    seconds: number;
    idleMb: number;
    peakMb: number;
  };
  return {
    label: `engine ${format}, pages of ${pageSize}`,
    rows: run.rows,
    mb: run.bytes / 1e6,
    seconds: run.seconds,
    idleMb: run.idleMb,
    peakMb: run.peakMb,
  };
}

/** COPY of the engine's CSV columns (the default fields, one column per active custom-field key). */
async function viaCopy(url: string, tenantId: string): Promise<Line> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: keys } = await client.query<{ key: string }>(
      `SELECT key FROM custom_field_definition WHERE tenant_id = $1 AND retired_at IS NULL ORDER BY key`,
      [tenantId],
    );
    const columns = DEFAULT_FIELDS.flatMap((f) =>
      f === "customFields" ? keys.map(({ key }) => `c.custom_fields -> ${pg.escapeLiteral(key)} #>> '{}'`) : [`${FIELD_SQL[f]} AS "${f}"`],
    ).join(", ");
    let bytes = 0;
    const sink = new Writable({
      highWaterMark: 1 << 20,
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        setImmediate(done);
      },
    });
    const started = performance.now();
    const source = client.query(
      copyTo(
        `COPY (SELECT ${columns} FROM ${customerFromSql(DEFAULT_FIELDS)} WHERE c.tenant_id = '${tenantId}' ORDER BY c.created_at, c.id) TO STDOUT WITH (FORMAT csv, HEADER)`,
      ),
    );
    await new Promise<void>((resolve, reject) => source.pipe(sink).on("finish", resolve).on("error", reject));
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM customer WHERE tenant_id = $1`, [tenantId]);
    return { label: "COPY … TO STDOUT (csv, same columns)", rows: Number(rows[0].n), mb: bytes / 1e6, seconds };
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
await seeded.app.stop();
await seeded.app.database.close();
const lines: Line[] = [];
// COPY first and last: the spread between the two says how steady the machine was.
lines.push(await viaCopy(seeded.url, seeded.tenantId));
for (const pageSize of PAGE_SIZES) {
  for (const format of ["CSV", "NDJSON"] as const) lines.push(await viaEngine(seeded.url, seeded.tenantId, format, pageSize));
}
lines.push(await viaCopy(seeded.url, seeded.tenantId));

const copyRate = (lines[0].rows / lines[0].seconds + lines.at(-1)!.rows / lines.at(-1)!.seconds) / 2;
const table = lines.map((l) => {
  const rate = l.rows / l.seconds;
  const goal = l.peakMb === undefined ? "" : rate >= GOAL_ROWS_PER_S && l.peakMb < GOAL_RSS_MB ? " ✔" : " ✘";
  const rss = l.peakMb === undefined ? "—" : `${Math.round(l.idleMb!)} → ${Math.round(l.peakMb)} MB`;
  return `| ${l.label} | ${l.rows} | ${l.mb.toFixed(1)} MB | ${l.seconds.toFixed(2)} s | ${Math.round(rate)}${goal} | ${(rate / copyRate).toFixed(2)} | ${rss} |`;
});
const section = `
## bench:export — ${new Date().toISOString()}

${machine()}. ${load()} ${CUSTOMERS} customers (database ${seeded.reused ? "reused" : `seeded in ${seeded.seedSeconds.toFixed(0)} s`}).
Goal: ≥ ${GOAL_ROWS_PER_S} rows/s in < ${GOAL_RSS_MB} MB peak RSS (the default fields, to a discarding sink). Each engine
export runs in a fresh process loading what the CLI loads; its RSS is the peak when open and idle → at the end.
× COPY: the rate over the mean of the two COPY runs.

| export | rows | size | time | rows/s | × COPY | peak RSS |
|---|---|---|---|---|---|---|
${table.join("\n")}
`;
console.log(section);
recordResults(section);

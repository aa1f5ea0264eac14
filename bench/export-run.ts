// One export in a process of its own, for bench:export: loads what the CLI's `export` loads (the
// configuration's database through openDatabase, a local event bus, the export service) and
// nothing else, runs one export to a sink that drops the bytes, and prints one JSON line: rows,
// bytes, seconds, this process's peak RSS before the export (open, idle) and at the end.
// Usage: node --import tsx bench/export-run.ts <tenantId> <CSV|NDJSON|JSON> [pageSize]
import { Writable } from "node:stream";
import { openDatabase } from "../src/db/database.ts";
import { createLocalEventBus } from "../src/events/bus.ts";
import { exportCustomers } from "../src/exports/service.ts";
import { serviceContext } from "../src/service-context.ts";

const [tenantId, format, pageSize] = process.argv.slice(2);
const peakMb = () => process.resourceUsage().maxRSS / 1024;

const database = await openDatabase({ kind: "postgres", url: process.env.DATABASE_URL! });
const ctx = serviceContext({ db: database.prisma, events: createLocalEventBus() }, tenantId, { kind: "SYSTEM", id: "bench" });
const sink = new Writable({
  highWaterMark: 1 << 20,
  write(_chunk, _encoding, done) {
    setImmediate(done);
  },
});
const idleMb = peakMb();
const started = performance.now();
const stats = await exportCustomers(ctx, { format: format as "CSV" | "NDJSON" }, sink, {
  sql: database.sql,
  pageSize: pageSize ? Number(pageSize) : undefined,
});
const seconds = (performance.now() - started) / 1000;
await database.close();
console.log(JSON.stringify({ ...stats, seconds, idleMb, peakMb: peakMb() }));

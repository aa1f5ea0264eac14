import { createWriteStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, resolve } from "node:path";
import { once } from "node:events";
import type { Job } from "../generated/prisma/client.ts";
import { errorReportLines } from "../imports/error-report.ts";
import { importNow, type ImportOptions } from "../imports/service.ts";
import type { CliContext } from "./context.ts";
import { tenantService } from "./credentials.ts";

// `import <file> --tenant <slug>`: runs the import service in this process on the configured
// database (not through a gateway), with a progress line on stderr. The summary goes to stdout;
// row errors go to <file>.errors.csv. Exit code 0 when every row was imported, updated or
// skipped, 1 when a row failed or the job did.

export async function runImportCommand(ctx: CliContext): Promise<number> {
  const [file] = ctx.args;
  if (!file) {
    ctx.print("Give the file: import <file> --tenant <slug>");
    return 2;
  }
  const service = await tenantService(ctx);
  const path = resolve(file);
  const o = ctx.options;
  const match = o.match?.toLowerCase();
  const options: ImportOptions = {
    format: o.format ? (o.format.toUpperCase() as "CSV") : null,
    mode: o.mode ? (o.mode.toUpperCase() as "INSERT") : null,
    matchBy: !match ? null : match === "uid" ? "UID" : match === "email" ? "EMAIL" : "FIELD",
    matchField: match && match !== "uid" && match !== "email" ? o.match : null,
    mapping: o.mapping ? await readMapping(o.mapping) : null,
    dryRun: o["dry-run"] === "true",
    batchSize: o["batch-size"] ? Number(o["batch-size"]) : null,
  };
  const started = Date.now();
  const progress = (job: Job) => {
    const rate = Math.round(job.rowsRead / Math.max((Date.now() - started) / 1000, 0.001));
    process.stderr.write(
      `\r${job.rowsRead} rows read, ${job.imported} imported, ${job.updated} updated, ${job.skipped} skipped, ${job.failed} failed (${rate} rows/s)   `,
    );
  };
  const job = await importNow(service, { path, name: basename(path), temporary: false }, options, progress);
  process.stderr.write("\n");
  ctx.print(
    `${job.status}${options.dryRun ? " (dry run: nothing was written)" : ""}: ${job.rowsRead} rows read, ${job.imported} imported, ${job.updated} updated, ${job.skipped} skipped, ${job.failed} failed.`,
  );
  for (const warning of job.warnings) ctx.print(`Warning: ${warning}`);
  if (job.error) ctx.print(`Error: ${job.error}`);
  if (job.failed > 0) {
    const report = `${path}.errors.csv`;
    const out = createWriteStream(report);
    for await (const chunk of errorReportLines(service.db, job.id)) if (!out.write(chunk)) await once(out, "drain");
    out.end();
    await once(out, "finish");
    ctx.print(`Row errors: ${report}`);
  }
  return job.status === "COMPLETED" && job.failed === 0 ? 0 : 1;
}

async function readMapping(file: string): Promise<Record<string, string | null>> {
  return JSON.parse(await readFile(file, "utf8")) as Record<string, string | null>;
}

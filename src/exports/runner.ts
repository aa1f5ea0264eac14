import { createWriteStream } from "node:fs";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { finished } from "node:stream/promises";
import type { Db, Sql } from "../db/database.ts";
import { transact } from "../db/transact.ts";
import { NotFoundError } from "../errors.ts";
import type { EventBus } from "../events/bus.ts";
import type { ExportFile, ExportSchedule } from "../generated/prisma/client.ts";
import { serviceContext, type ServiceContext } from "../service-context.ts";
import { writeExport } from "./engine.ts";
import { findExportSchedule, nextRunAfter } from "./schedules.ts";
import { prepareExport, type ExportRequest } from "./selection.ts";

// Running export schedules: a tick claims each due schedule and writes its file to
// EXPORT_DIR/<tenant id>/ (under a temporary name, renamed when complete), records
// `export.completed` or `export.failed`, and deletes the files beyond the schedule's `keep`.

export interface ExportFilesDeps {
  db: Db;
  events: EventBus;
  sql: Sql;
  dir: string;
  pageSize: number;
}

const EXTENSIONS = { CSV: "csv", JSON: "json", NDJSON: "ndjson" } as const;
const systemCtx = (deps: ExportFilesDeps, tenantId: string) => serviceContext(deps, tenantId, { kind: "SYSTEM", id: "export-schedule" });

/** Where a file of the tenant lives (file names are generated: no path from input). */
export const exportFilePath = (dir: string, file: { tenantId: string; fileName: string }) => join(dir, file.tenantId, file.fileName);

/**
 * Runs every schedule due at `now` once, whatever the number of nodes ticking. Each due schedule
 * is claimed by moving its next_run_at forward only if it still holds the value this node read
 * (compare-and-set in one UPDATE): under READ COMMITTED a second node's UPDATE waits for the
 * first's row lock, re-reads the row, no longer matches and changes nothing. The row lock lasts
 * one statement, so no advisory lock or lease table is needed; a node that dies mid-run leaves a
 * RUNNING file row and the schedule waits for its next time (no retry). Answers the files written.
 */
export async function runDueExports(deps: ExportFilesDeps, now = new Date()): Promise<ExportFile[]> {
  const due = await deps.db.exportSchedule.findMany({
    where: { active: true, nextRunAt: { lte: now } },
    orderBy: { nextRunAt: "asc" },
    take: 20,
  });
  const files: ExportFile[] = [];
  for (const schedule of due) {
    const next = nextRunAfter(schedule.cron, schedule.timeZone, now);
    const claimed = await deps.db.exportSchedule.updateMany({
      where: { id: schedule.id, active: true, nextRunAt: schedule.nextRunAt },
      data: { nextRunAt: next, lastRunAt: now },
    });
    if (claimed.count === 1) files.push(await runSchedule(deps, schedule, now));
  }
  return files;
}

/** Runs one schedule of the caller's tenant now, outside its timetable (its next run stays). */
export async function runExportScheduleNow(ctx: ServiceContext, deps: ExportFilesDeps, id: string): Promise<ExportFile> {
  const schedule = await findExportSchedule(ctx, id);
  if (!schedule) throw new NotFoundError("EXPORT_SCHEDULE_NOT_FOUND");
  // Audited as the admin who asked, from their request.
  return runSchedule({ ...deps, db: ctx.db, events: ctx.events }, schedule, new Date(), ctx);
}

async function runSchedule(deps: ExportFilesDeps, schedule: ExportSchedule, now: Date, asker?: ServiceContext): Promise<ExportFile> {
  const ctx = asker ?? systemCtx(deps, schedule.tenantId);
  const stamp = now.toISOString().replace(/[-:.]/g, "");
  const file = await deps.db.exportFile.create({
    data: {
      tenantId: schedule.tenantId,
      scheduleId: schedule.id,
      fileName: `${schedule.id}-${stamp}.${EXTENSIONS[schedule.format]}`,
      format: schedule.format,
    },
  });
  const path = exportFilePath(deps.dir, file);
  const partial = `${path}.partial`;
  const stats = { rows: 0, bytes: 0 };
  try {
    const request = { format: schedule.format, selection: schedule.selection as ExportRequest["selection"], fields: schedule.fields };
    const prepared = await prepareExport(ctx, request, "schedule");
    await mkdir(join(deps.dir, schedule.tenantId), { recursive: true, mode: 0o700 });
    const out = createWriteStream(partial, { mode: 0o600 });
    try {
      await writeExport(ctx, prepared, out, { sql: deps.sql, pageSize: deps.pageSize, stats });
    } finally {
      out.end();
      await finished(out);
    }
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    return finish(ctx, file, { status: "FAILED", error: error instanceof Error ? error.message : String(error), ...stats });
  }
  const done = await finish(ctx, file, { status: "COMPLETED", ...stats });
  await prune(deps, schedule);
  return done;
}

async function finish(
  ctx: ServiceContext,
  file: ExportFile,
  outcome: { status: "COMPLETED" | "FAILED"; rows: number; bytes: number; error?: string },
) {
  return transact(ctx, async (tx, audit) => {
    const updated = await tx.exportFile.update({
      where: { id: file.id },
      data: { status: outcome.status, rows: outcome.rows, bytes: outcome.bytes, error: outcome.error ?? null, completedAt: new Date() },
    });
    const { status, ...data } = outcome;
    await audit({
      type: status === "COMPLETED" ? "export.completed" : "export.failed",
      data: { exportId: file.id, scheduleId: file.scheduleId, fileName: file.fileName, ...data },
    });
    return updated;
  });
}

/** Deletes the completed files beyond the newest `keep` of a schedule and marks their rows DELETED. */
async function prune(deps: ExportFilesDeps, schedule: ExportSchedule): Promise<void> {
  const old = await deps.db.exportFile.findMany({
    where: { scheduleId: schedule.id, tenantId: schedule.tenantId, status: "COMPLETED" },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    skip: schedule.keep,
  });
  for (const file of old) {
    await rm(exportFilePath(deps.dir, file), { force: true });
    await deps.db.exportFile.update({ where: { id: file.id }, data: { status: "DELETED" } });
  }
}

/** Ticks every `intervalMs` (never two ticks at once); stop() waits for a tick in progress. */
export function startExportScheduler(deps: ExportFilesDeps, intervalMs: number, onError: (error: unknown) => void) {
  let running: Promise<unknown> | null = null;
  const tick = () => {
    if (running) return; // a long export outlasts a tick: the next tick after it picks up what is due
    running = runDueExports(deps)
      .catch(onError)
      .finally(() => (running = null));
  };
  const timer = intervalMs > 0 ? setInterval(tick, intervalMs) : null;
  timer?.unref();
  return {
    async stop() {
      if (timer) clearInterval(timer);
      await running;
    },
  };
}

/** Removes a deleted schedule's files (their names start with its id). */
export async function removeScheduleFiles(dir: string, schedule: { id: string; tenantId: string }): Promise<void> {
  const folder = join(dir, schedule.tenantId);
  const names = await readdir(folder).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.startsWith(`${schedule.id}-`)).map((n) => rm(join(folder, n), { force: true })));
}

import { phonePii } from "../customers/phones-at-rest.ts";
import { unlink } from "node:fs/promises";
import { transact } from "../db/transact.ts";
import { violatesUniqueIndex } from "../db/unique.ts";
import type { FieldSchema } from "../custom-fields/validator.ts";
import { loadFieldSchema } from "../custom-fields/access.ts";
import type { Job } from "../generated/prisma/client.ts";
import type { ServiceContext } from "../service-context.ts";
import { addJobWarnings, claimJob, finishJob, recordProgress, type JobCounters, type RowError } from "../jobs/service.ts";
import { planBatch, updatedEventData, type ImportMode, type MatchBy, type Plan } from "./plan.ts";
import { prepareRow, type ImportRow, type Mapping } from "./rows.ts";
import { FileError, readRecords, type ImportFormat } from "./sources.ts";
import { KeySet } from "./key-set.ts";
import { insertCustomers, updateCustomers } from "./write.ts";

// Runs one import job: records are parsed and validated as they stream in, and every `batchSize`
// rows become one transaction — the batch's plan (plan.ts), its writes (write.ts), one
// customer.imported (or customer.updated) audit event per customer written in the same single
// audit statement as the batch's import.progressed, and the job's counters. Cancellation and a
// stopping gateway are checked between batches. Definitions are read once, when the job starts.

export interface ImportSettings {
  format: ImportFormat;
  mode: ImportMode;
  matchBy: MatchBy;
  matchField: string | null;
  mapping: Mapping | null;
  dryRun: boolean;
  batchSize: number;
  fileName: string;
}

interface State {
  counters: JobCounters;
  storedErrors: number;
  /** Keys of the file's rows accepted so far (in-file duplicates), as hashes: key-set.ts. */
  seen: KeySet;
  warned: Set<string>;
  started: number;
}

const zero = (): JobCounters => ({ rowsRead: 0, imported: 0, updated: 0, skipped: 0, failed: 0 });
const WRITE_TIMEOUT_MS = 120_000;
/** A batch that collides with concurrent writers is planned again this many times (the plan then sees their rows). */
const ATTEMPTS = 3;

export async function runImport(
  ctx: ServiceContext,
  job: Job,
  source: { path: string; temporary: boolean },
  settings: ImportSettings,
  hooks: { signal?: AbortSignal; onProgress?: (job: Job) => void },
): Promise<Job> {
  const state: State = { counters: zero(), storedErrors: 0, seen: new KeySet(), warned: new Set(), started: Date.now() };
  const jobData = { jobId: job.id, format: settings.format, mode: settings.mode, dryRun: settings.dryRun, file: settings.fileName };
  try {
    const schema = await ctx.db.$transaction((tx) => loadFieldSchema(tx, ctx.tenantId));
    await transact(ctx, async (tx, audit) => {
      await claimJob(tx, job);
      await audit({ type: "import.started", data: jobData });
    });
    const outcome = await readAndWrite(ctx, job, source.path, settings, schema, state, hooks);
    const status = outcome === "cancelled" ? "CANCELLED" : outcome === "stopped" ? "FAILED" : "COMPLETED";
    const error = outcome === "stopped" ? "the gateway stopped during the import (start it again: imports are idempotent)" : undefined;
    return await finish(ctx, job.id, status, { ...jobData, ...state.counters }, error);
  } catch (error) {
    const message = error instanceof FileError ? error.message : "the import stopped on an unexpected error";
    if (!(error instanceof FileError)) console.error(error);
    return finish(ctx, job.id, "FAILED", { ...jobData, ...state.counters, error: message }, message);
  } finally {
    if (source.temporary) await unlink(source.path).catch(() => undefined);
  }
}

async function finish(ctx: ServiceContext, jobId: string, status: "COMPLETED" | "FAILED" | "CANCELLED", data: object, error?: string) {
  return transact(ctx, async (tx, audit) => {
    const done = await finishJob(tx, jobId, status, error);
    await audit({ type: `import.${status.toLowerCase()}`, data: { ...data } });
    return done;
  });
}

type Outcome = "completed" | "cancelled" | "stopped";

async function readAndWrite(
  ctx: ServiceContext,
  job: Job,
  path: string,
  settings: ImportSettings,
  schema: FieldSchema,
  state: State,
  hooks: { signal?: AbortSignal; onProgress?: (job: Job) => void },
): Promise<Outcome> {
  const rowContext = { format: settings.format, mapping: settings.mapping, schema, unknown: new Set<string>() };
  let rows: ImportRow[] = [];
  let rejected: RowError[] = [];
  let read = 0;
  let failed = 0;
  // One batch is written while the next is read and validated (the database works on its own
  // core): `writing` is the batch in flight; the next flush waits for it before it starts its own,
  // so at most two batches are in memory.
  let writing: Promise<Outcome | null> | null = null;
  const flush = async (): Promise<Outcome | null> => {
    const before = await writing;
    if (before) return before;
    const batch = { rows, rejected, read, failed, unknown: rowContext.unknown };
    [rows, rejected, read, failed] = [[], [], 0, 0];
    writing = writeBatch(ctx, job, settings, schema, state, batch).then(async (cancel) => {
      if (hooks.onProgress) hooks.onProgress((await ctx.db.job.findUnique({ where: { id: job.id } }))!);
      return cancel ? "cancelled" : hooks.signal?.aborted ? "stopped" : null;
    });
    return null;
  };
  try {
    for await (const record of readRecords(path, settings.format)) {
      read++;
      const prepared = prepareRow(record, rowContext);
      if (Array.isArray(prepared)) {
        rejected.push(...prepared);
        failed++;
      } else rows.push(prepared);
      if (rows.length + failed >= settings.batchSize) {
        const stop = await flush();
        if (stop) return stop;
      }
    }
    return (await flush()) ?? (await writing) ?? "completed";
  } catch (error) {
    // What was read before a broken part of the file is still imported.
    if (error instanceof FileError) await flush();
    await writing;
    throw error;
  }
}

interface Batch {
  rows: ImportRow[];
  rejected: RowError[];
  read: number;
  failed: number;
  unknown: Set<string>;
}

/** Plans and writes one batch in one transaction; returns whether the job was asked to cancel. */
async function writeBatch(ctx: ServiceContext, job: Job, s: ImportSettings, schema: FieldSchema, state: State, batch: Batch) {
  const options = { mode: s.mode, matchBy: s.matchBy, matchField: s.matchField, schema, pii: await phonePii(ctx) };
  const newlyUnknown = [...batch.unknown].filter((name) => !state.warned.has(name));
  for (const name of newlyUnknown) state.warned.add(name);
  for (let attempt = 1; ; attempt++) {
    let plan: Plan | undefined;
    try {
      const done = await transact(
        ctx,
        async (tx, audit) => {
          plan = await planBatch(tx, ctx.tenantId, batch.rows, options, state.seen);
          const delta: JobCounters = {
            rowsRead: batch.read,
            imported: plan.inserts.length,
            updated: plan.updates.length,
            skipped: plan.skipped,
            failed: batch.failed + new Set(plan.errors.map((e) => e.row)).size,
          };
          if (!s.dryRun) {
            for (const { id, row } of await insertCustomers(tx, ctx.tenantId, plan.inserts, options)) {
              const emails = row.contacts.filter((c) => c.kind === "EMAIL").map((c) => c.normalized);
              await audit({ type: "customer.imported", customerId: id, data: { uid: row.uid, emails, jobId: job.id } });
            }
            await updateCustomers(tx, ctx.tenantId, plan.updates, options);
            for (const u of plan.updates) {
              await audit({ type: "customer.updated", customerId: u.before.id, data: { ...updatedEventData(u), jobId: job.id } });
            }
          }
          const errors = [...batch.rejected, ...plan.errors].sort((a, b) => a.row - b.row);
          await addJobWarnings(tx, job.id, newlyUnknown.length ? [`ignored unknown columns: ${newlyUnknown.join(", ")}`] : []);
          const cancel = await recordProgress(tx, job.id, delta, errors, state.storedErrors);
          const total = sum(state.counters, delta);
          const rowsPerSecond = Math.round(total.rowsRead / Math.max((Date.now() - state.started) / 1000, 0.001));
          await audit({ type: "import.progressed", data: { jobId: job.id, ...total, rowsPerSecond } });
          return { cancel, total, stored: errors.length };
        },
        { timeoutMs: WRITE_TIMEOUT_MS },
      );
      state.counters = done.total;
      state.storedErrors += done.stored;
      return done.cancel;
    } catch (error) {
      // The batch's keys go back out of the file's set: its next plan decides again.
      if (plan) for (const key of plan.added) state.seen.delete(key);
      if (attempt >= ATTEMPTS || !violatesUniqueIndex(error)) throw error;
    }
  }
}

function sum(total: JobCounters, delta: JobCounters): JobCounters {
  const out = { ...total };
  for (const key of Object.keys(out) as (keyof JobCounters)[]) out[key] += delta[key];
  return out;
}

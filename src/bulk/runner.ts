import type { Prisma } from "../generated/prisma/client.ts";
import type { Db } from "../db/database.ts";
import { transact, type AuditWriter, type Tx } from "../db/transact.ts";
import type { EventBus } from "../events/bus.ts";
import { AppError } from "../errors.ts";
import { serviceContext, type ServiceContext } from "../service-context.ts";
import { applyBatch } from "./actions.ts";
import { bulkOptions, endJob, holdLease, recordBatch, type BatchCounts, type BulkJobOptions, type Claim } from "./jobs.ts";
import { idsWhere, nextIds, selectionWhere } from "./selection.ts";

// Runs one claimed bulk job batch by batch, each batch one transaction: lease check, the batch's
// writes and events (actions.ts), the job's counters and cursor. Cancellation is read with the
// lease at the start of every batch. `bulk_action.progressed` is recorded with a batch at most once
// a second (and the counters are in the job row after every batch), so a dashboard on the audit
// stream follows a job without one progress event per customer.

export interface RunnerDeps {
  db: Db;
  events: EventBus;
  batchSize: number;
  leaseMs: number;
  /** After an UNBLOCK batch commits: forget the unblocked customers' sign-in throttle (app.ts wires the limiter store). */
  forget?: (customerIds: string[]) => Promise<unknown>;
}

const PROGRESS_EVERY_MS = 1000;
const BATCH_TIMEOUT_MS = 120_000;

/** The lease was taken over by another node (ours ran out): this node stops without writing. */
class LeaseLost extends Error {}

export type RunOutcome = "finished" | "stopped" | "lease-lost" | "paused";

/**
 * Runs `claim` until it completes, is cancelled or fails, or until `signal` aborts (the lease is
 * then the caller's to release). `maxBatches` stops after that many batches leaving the lease as
 * it is — what a node that dies looks like (tests).
 */
export async function runClaimedJob(
  deps: RunnerDeps,
  claim: Claim,
  options: { signal?: AbortSignal; maxBatches?: number } = {},
): Promise<RunOutcome> {
  const o = bulkOptions(claim.job);
  const ctx = serviceContext(deps, claim.job.tenantId, o.actor, o.request);
  // Compiled once per claim, inside the try below: a filter that no longer compiles (a custom
  // field retired since) fails the job instead of leaving it to be claimed again and again.
  let where: Prisma.Sql | null = null;
  const state = { cursor: claim.job.cursor, stored: claim.job.failed, first: true, lastProgress: 0, started: Date.now() };
  for (let batches = 0; ; batches++) {
    if (options.signal?.aborted) return "stopped";
    if (options.maxBatches !== undefined && batches >= options.maxBatches) return "paused";
    try {
      where ??= await selectionWhere(ctx, o.selection, claim.job.createdAt);
      const page = where;
      const { done, changed } = await transact(ctx, (tx, audit) => runBatch(tx, audit, ctx, deps, claim, o, page, state), {
        timeoutMs: BATCH_TIMEOUT_MS,
      });
      if (o.action === "UNBLOCK" && changed.length > 0) await deps.forget?.(changed);
      if (done) return "finished";
    } catch (error) {
      if (error instanceof LeaseLost) return "lease-lost";
      await failJob(ctx, deps, claim, error);
      return "finished";
    }
  }
}

interface State {
  cursor: string | null;
  stored: number;
  first: boolean;
  lastProgress: number;
  started: number;
}

/** One batch in the caller's transaction. Returns whether the job ended, and the customers changed. */
async function runBatch(
  tx: Tx,
  audit: AuditWriter,
  ctx: ServiceContext,
  deps: RunnerDeps,
  claim: Claim,
  o: BulkJobOptions,
  where: Prisma.Sql,
  state: State,
): Promise<{ done: boolean; changed: string[] }> {
  const lease = await holdLease(tx, claim, deps.leaseMs);
  if (!lease) throw new LeaseLost();
  const jobId = claim.job.id;
  const base = { jobId, action: o.action };
  if (state.first) {
    const resumed = state.cursor !== null || claim.job.rowsRead > 0;
    await audit({ type: resumed ? "bulk_action.resumed" : "bulk_action.started", data: { ...base, total: o.total, cursor: state.cursor } });
  }
  if (lease.cancelRequested) {
    const job = await endJob(tx, jobId, "CANCELLED");
    await audit({ type: "bulk_action.cancelled", data: { ...base, ...counters(job) } });
    return { done: true, changed: [] };
  }
  const size = deps.batchSize;
  const counts: BatchCounts = { processed: 0, affected: 0, skipped: 0, failures: [] };
  let cursor = state.cursor;
  let done: boolean;
  let changed: string[];
  if (o.selection.kind === "IDS") {
    const batch = nextIds(o.selection, cursor, size);
    const page = { where: idsWhere(ctx, batch), after: null, limit: size };
    const result = await applyBatch(tx, audit, ctx, o, page, { jobId });
    const seen = new Set(result.seen);
    const missing = batch.filter((id) => !seen.has(id));
    if (cursor === null) missing.unshift(...o.selection.malformed);
    counts.failures = missing.map((customerId) => ({ customerId, code: "CUSTOMER_NOT_FOUND" }));
    const processed = batch.length + (cursor === null ? o.selection.malformed.length : 0);
    Object.assign(counts, { processed, affected: result.affected, skipped: result.skipped });
    changed = result.changed;
    cursor = batch.at(-1) ?? cursor;
    done = batch.length < size;
  } else {
    const result = await applyBatch(tx, audit, ctx, o, { where, after: cursor, limit: size }, { jobId });
    Object.assign(counts, { processed: result.seen.length, affected: result.affected, skipped: result.skipped });
    changed = result.changed;
    cursor = result.seen.at(-1) ?? cursor;
    done = result.seen.length < size;
  }
  const job = await recordBatch(tx, jobId, counts, cursor, state.stored, done);
  const now = Date.now();
  if (done || now - state.lastProgress >= PROGRESS_EVERY_MS) {
    const perSecond = Math.round(((job.rowsRead - claim.job.rowsRead) * 1000) / Math.max(now - state.started, 1));
    await audit({ type: "bulk_action.progressed", data: { ...base, total: o.total, ...counters(job), customersPerSecond: perSecond } });
    state.lastProgress = now;
  }
  if (done) await audit({ type: "bulk_action.completed", data: { ...base, total: o.total, ...counters(job) } });
  // A batch that rolls back ends the run (lease lost or failed), so moving on here is safe.
  Object.assign(state, { first: false, cursor, stored: state.stored + counts.failures.length });
  return { done, changed };
}

export const counters = (job: { rowsRead: number; updated: number; skipped: number; failed: number }) => ({
  processed: job.rowsRead,
  affected: job.updated,
  skipped: job.skipped,
  failed: job.failed,
});

/** Marks the job FAILED where our lease still holds, with `bulk_action.failed`. */
async function failJob(ctx: ServiceContext, deps: RunnerDeps, claim: Claim, error: unknown): Promise<void> {
  const expected = error instanceof AppError;
  if (!expected) console.error(error);
  const message = expected
    ? `the bulk action stopped: ${error.message} (what committed stays)`
    : "the bulk action stopped on an unexpected error (what committed stays)";
  await transact(ctx, async (tx, audit) => {
    if (!(await holdLease(tx, claim, deps.leaseMs))) return;
    const job = await endJob(tx, claim.job.id, "FAILED", message);
    await audit({ type: "bulk_action.failed", data: { jobId: job.id, action: bulkOptions(job).action, ...counters(job), error: message } });
  });
}

import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transact.ts";
import type { Job, JobKind, Prisma } from "../generated/prisma/client.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";

// Durable jobs: long work of a tenant (imports now, bulk actions later) that runs in the
// background of the node that started it. The row is the progress report: counters are written
// in the same transaction as the work they count, so they never claim more than what committed.
// There is no queue and no hand-over between nodes: a job whose process died (no heartbeat for
// STALE_AFTER_MS) is marked FAILED when a node starts or a new job starts. Work that is
// idempotent (an import) resumes by being started again.

/** Row errors kept per job; the rest are only counted (Job.failed). */
export const JOB_ROW_ERROR_LIMIT = 10_000;

/** A RUNNING job whose heartbeat is older than this has lost its process. Batches are far shorter (20 s transaction limit). */
const STALE_AFTER_MS = 60_000;

export const ABANDONED = "the process running this job stopped before it finished (restart it: imports are idempotent)";

export interface JobCounters {
  rowsRead: number;
  imported: number;
  updated: number;
  skipped: number;
  failed: number;
}

export interface RowError {
  row: number;
  field: string | null;
  message: string;
}

type Relations = { include?: Prisma.JobInclude; select?: Prisma.JobSelect };

/** Records a new QUEUED job of the caller's tenant. Cost: one INSERT. */
export function createJob(ctx: ServiceContext, kind: JobKind, options: Prisma.InputJsonObject): Promise<Job> {
  return ctx.db.job.create({ data: { tenantId: ctx.tenantId, kind, options, createdBy: ctx.actor.id } });
}

/** Marks a QUEUED job RUNNING (inside the caller's transaction, with its audit event). */
export async function claimJob(tx: Tx, job: Job): Promise<void> {
  const now = new Date();
  await tx.job.update({ where: { id: job.id }, data: { status: "RUNNING", startedAt: now, heartbeatAt: now } });
}

/**
 * Adds one batch's counts and row errors to the job, and bumps its heartbeat; inside the batch's
 * transaction. `stored` is how many row errors the job holds already (kept by the runner), so the
 * limit costs no count query. Returns whether cancellation was requested. Cost: one UPDATE, one INSERT.
 */
export async function recordProgress(tx: Tx, jobId: string, delta: JobCounters, errors: RowError[], stored: number): Promise<boolean> {
  const kept = errors.slice(0, Math.max(0, JOB_ROW_ERROR_LIMIT - stored));
  if (kept.length > 0) await tx.jobRowError.createMany({ data: kept.map((e) => ({ jobId, ...e })) });
  const job = await tx.job.update({
    where: { id: jobId },
    data: {
      rowsRead: { increment: delta.rowsRead },
      imported: { increment: delta.imported },
      updated: { increment: delta.updated },
      skipped: { increment: delta.skipped },
      failed: { increment: delta.failed },
      heartbeatAt: new Date(),
    },
    select: { cancelRequestedAt: true },
  });
  return job.cancelRequestedAt !== null;
}

/** Adds file-level notices (e.g. ignored columns) to a job. */
export async function addJobWarnings(tx: Tx, jobId: string, warnings: string[]): Promise<void> {
  if (warnings.length > 0) await tx.job.update({ where: { id: jobId }, data: { warnings: { push: warnings } } });
}

/** Ends a job: COMPLETED, FAILED (with why) or CANCELLED. */
export async function finishJob(tx: Tx, jobId: string, status: "COMPLETED" | "FAILED" | "CANCELLED", error?: string): Promise<Job> {
  return tx.job.update({ where: { id: jobId }, data: { status, error: error ?? null, finishedAt: new Date() } });
}

/**
 * Asks a QUEUED or RUNNING job of `kind` to stop; the runner checks between batches. Returns the job, or
 * null when it is not the tenant's. Cost: one UPDATE (no-op on a finished job) and one read.
 */
export async function requestCancel(ctx: ServiceContext, id: string, kind: JobKind): Promise<Job | null> {
  if (!isUuid(id)) return null;
  await ctx.db.job.updateMany({
    where: { id, tenantId: ctx.tenantId, kind, status: { in: ["QUEUED", "RUNNING"] }, cancelRequestedAt: null },
    data: { cancelRequestedAt: new Date() },
  });
  return findJob(ctx, id);
}

/** One job of the caller's tenant, or null. Cost: one indexed statement. */
export function findJob(ctx: ServiceContext, id: string, relations: Relations = {}): Promise<Job | null> {
  return isUuid(id) ? ctx.db.job.findFirst({ ...relations, where: { id, tenantId: ctx.tenantId } }) : Promise.resolve(null);
}

/** A page of the tenant's jobs of a kind, newest first, as Pothos's prismaConnection asks for it. */
export function listJobs(
  ctx: ServiceContext,
  kind: JobKind,
  page: { cursor?: { id?: unknown }; take?: number; skip?: number } & Relations,
) {
  const cursor = page.cursor?.id;
  return ctx.db.job.findMany({
    ...(page as object),
    cursor: typeof cursor === "string" && isUuid(cursor) ? { id_tenantId: { id: cursor, tenantId: ctx.tenantId } } : undefined,
    where: { tenantId: ctx.tenantId, kind },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}

/** A page of a job's row errors in row order (the job must already be known to be the tenant's). */
export function listRowErrors(db: Db, jobId: string, page: { cursor?: { id?: unknown }; take?: number; skip?: number }) {
  const cursor = page.cursor?.id;
  return db.jobRowError.findMany({
    ...(page as object),
    cursor: typeof cursor === "bigint" || typeof cursor === "number" ? { id: BigInt(cursor) } : undefined,
    where: { jobId },
    orderBy: { id: "asc" },
  });
}

/**
 * Marks FAILED every QUEUED or RUNNING job (but bulk actions) whose process is gone: no heartbeat for a minute.
 * Called when a node starts and before a job starts. Cost: one UPDATE on the status index.
 */
export async function failAbandonedJobs(db: Db): Promise<number> {
  const stale = new Date(Date.now() - STALE_AFTER_MS);
  const { count } = await db.job.updateMany({
    where: {
      // Bulk actions belong to no node: a lapsed lease is resumed by any node's bulk worker (src/bulk/).
      kind: { not: "BULK_ACTION" },
      status: { in: ["QUEUED", "RUNNING"] },
      OR: [{ heartbeatAt: { lt: stale } }, { heartbeatAt: null, createdAt: { lt: stale } }],
    },
    data: { status: "FAILED", error: ABANDONED, finishedAt: new Date() },
  });
  return count;
}

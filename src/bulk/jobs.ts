import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transact.ts";
import type { Job } from "../generated/prisma/client.ts";
import { JOB_ROW_ERROR_LIMIT } from "../jobs/service.ts";
import type { Actor, RequestInfo } from "../service-context.ts";
import type { ActionParams } from "./actions.ts";
import type { StoredSelection } from "./selection.ts";

// The job row of a bulk action (kind BULK_ACTION) and the statements on it. Unlike an import, a
// bulk job belongs to no node: any node's worker claims a QUEUED job, or a RUNNING one whose lease
// ran out (its node died), with FOR UPDATE SKIP LOCKED and a fresh lease token. Every batch's
// transaction first extends the lease where the token still matches — a node that lost its lease
// finds nothing, rolls back and stops, so two nodes never both write a batch — and last writes
// the counters and the keyset cursor (the last customer id handled). A restarted job resumes
// after the cursor: nothing is done twice, no event is written twice.

/** What a bulk job row's `options` hold. */
export interface BulkJobOptions extends ActionParams {
  selection: StoredSelection;
  /** Customers the selection held when the action started (ids: the ids given). */
  total: number;
  /** Who started the job and from where: its events carry them, whichever node runs them. */
  actor: Actor;
  request: RequestInfo;
}

export const bulkOptions = (job: Job) => job.options as unknown as BulkJobOptions;

export interface Claim {
  job: Job;
  token: string;
}

/**
 * Claims the oldest runnable bulk job: QUEUED, or RUNNING with a lapsed lease. Cost: one statement
 * (on the job status index) and the row read.
 */
export async function claimBulkJob(db: Db, leaseMs: number): Promise<Claim | null> {
  const [claimed] = await db.$queryRaw<{ id: string; token: string }[]>`
    WITH due AS (
      SELECT id FROM job
      WHERE kind = 'BULK_ACTION' AND status IN ('QUEUED', 'RUNNING') AND (lease_until IS NULL OR lease_until < now())
      ORDER BY created_at, id LIMIT 1
      FOR UPDATE SKIP LOCKED
    )
    UPDATE job j SET status = 'RUNNING', lease_token = gen_random_uuid(), lease_until = now() + ${leaseMs}::int * interval '1 millisecond',
      started_at = coalesce(j.started_at, now()), heartbeat_at = now()
    FROM due WHERE j.id = due.id
    RETURNING j.id, j.lease_token::text AS token`;
  if (!claimed) return null;
  const job = await db.job.findUniqueOrThrow({ where: { id: claimed.id } });
  return { job, token: claimed.token };
}

/**
 * First statement of a batch's transaction: extends the lease where it is still ours and locks
 * the row until commit. Null when the lease was lost (another node holds the job now) or the job
 * ended meanwhile.
 */
export async function holdLease(tx: Tx, claim: Claim, leaseMs: number): Promise<{ cancelRequested: boolean } | null> {
  const [row] = await tx.$queryRaw<{ cancel_requested_at: Date | null }[]>`
    UPDATE job SET lease_until = now() + ${leaseMs}::int * interval '1 millisecond', heartbeat_at = now()
    WHERE id = ${claim.job.id}::uuid AND lease_token = ${claim.token}::uuid AND status = 'RUNNING'
    RETURNING cancel_requested_at`;
  return row ? { cancelRequested: row.cancel_requested_at !== null } : null;
}

export interface BatchCounts {
  processed: number;
  affected: number;
  skipped: number;
  failures: { customerId: string; code: string }[];
}

/**
 * Adds a batch's counts, moves the cursor, keeps its failures (up to the job's row-error limit,
 * `stored` already kept) and ends the job when `done`. Cost: one UPDATE, one INSERT when failures.
 */
export async function recordBatch(
  tx: Tx,
  jobId: string,
  counts: BatchCounts,
  cursor: string | null,
  stored: number,
  done: boolean,
): Promise<Job> {
  const kept = counts.failures.slice(0, Math.max(0, JOB_ROW_ERROR_LIMIT - stored));
  if (kept.length > 0) {
    await tx.jobRowError.createMany({
      data: kept.map((f, i) => ({ jobId, row: stored + i + 1, field: f.customerId, message: f.code })),
    });
  }
  return tx.job.update({
    where: { id: jobId },
    data: {
      rowsRead: { increment: counts.processed },
      updated: { increment: counts.affected },
      skipped: { increment: counts.skipped },
      failed: { increment: counts.failures.length },
      cursor,
      ...(done ? { status: "COMPLETED", finishedAt: new Date(), leaseToken: null, leaseUntil: null } : {}),
    },
  });
}

/** Ends a job CANCELLED or FAILED inside the caller's (fenced) transaction. */
export function endJob(tx: Tx, jobId: string, status: "CANCELLED" | "FAILED", error?: string): Promise<Job> {
  return tx.job.update({
    where: { id: jobId },
    data: { status, error: error ?? null, finishedAt: new Date(), leaseToken: null, leaseUntil: null },
  });
}

/** Gives the lease back at once (this node is stopping between batches): any node resumes the job now. */
export async function releaseLease(db: Db, claim: Claim): Promise<void> {
  await db.$executeRaw`UPDATE job SET lease_until = now() WHERE id = ${claim.job.id}::uuid AND lease_token = ${claim.token}::uuid`;
}

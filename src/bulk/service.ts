import { z } from "zod";
import { transact } from "../db/transact.ts";
import { NotFoundError, RuleViolationError } from "../errors.ts";
import type { Job, Prisma } from "../generated/prisma/client.ts";
import { isUuid } from "../ids.ts";
import { findJob, listJobs } from "../jobs/service.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";
import { applyBatch, BULK_ACTIONS, type ActionParams } from "./actions.ts";
import { requireGroup } from "../access/groups.ts";
import { counters } from "./runner.ts";
import { countSelection, idsWhere, selectionWhere, storedSelection, type SelectionInput, type StoredSelection } from "./selection.ts";
import type { BulkJobOptions } from "./jobs.ts";

// Bulk quick actions (delete, enable, disable, block, unblock, add to / remove from a group,
// revoke sessions) over a selection of customers. A selection of at most INLINE_LIMIT customers
// runs in the request, in one transaction; a larger one becomes a durable BULK_ACTION job that
// the bulk workers of any node run (runner.ts, worker.ts). DELETE is irreversible: the caller
// passes the count it showed the user (expectedCount), which must be the selection's count now,
// or confirm: true.

/** The largest selection run inline (one page of the customer list). */
export const INLINE_LIMIT = 100;

export interface BulkActionInput {
  action: string;
  selection: SelectionInput;
  reason?: string | null;
  until?: Date | string | null;
  groupId?: string | null;
  expectedCount?: number | null;
  confirm?: boolean | null;
}

const inputSchema = z
  .object({
    action: z.enum(BULK_ACTIONS),
    reason: z.string().trim().min(1).max(500).nullish(),
    until: z.coerce
      .date()
      .refine((d) => d.getTime() > Date.now(), "must be in the future")
      .nullish(),
    groupId: z.string().nullish(),
    expectedCount: z.number().int().min(0).nullish(),
    confirm: z.boolean().nullish(),
  })
  .superRefine((v, issues) => {
    const need = (field: string, when: boolean, message: string) => when && issues.addIssue({ code: "custom", path: [field], message });
    need("reason", v.action === "BLOCK" && !v.reason, "required to block");
    need("groupId", (v.action === "ADD_TO_GROUP" || v.action === "REMOVE_FROM_GROUP") && !v.groupId, "required for group actions");
  });

export interface Failure {
  customerId: string;
  code: string;
}

export interface InlineOutcome {
  action: string;
  selected: number;
  affected: number;
  skipped: number;
  failures: Failure[];
}

/** After-commit work of the caller: UNBLOCK also forgets the unblocked customers' sign-in throttle (as unblockCustomer's caller does). */
export interface BulkHooks {
  forget?: (customerIds: string[]) => Promise<unknown>;
}

export type BulkRun = { kind: "inline"; outcome: InlineOutcome } | { kind: "job"; job: Job };

/**
 * Runs a bulk action: inline for a small selection, else as a queued job. Throws VALIDATION_FAILED,
 * SEGMENT_NOT_FOUND, GROUP_NOT_FOUND, or BULK_COUNT_MISMATCH (nothing done) when a DELETE is neither
 * confirmed nor given the selection's current count, or any expectedCount differs.
 * Cost: the selection's count, then one transaction (inline: one statement per 100 customers plus
 * the audit statement; job: an INSERT and `bulk_action.queued`).
 */
export async function runBulkAction(ctx: ServiceContext, input: BulkActionInput, hooks: BulkHooks = {}): Promise<BulkRun> {
  const { selection: selectionInput, ...rest } = input;
  const v = parseInput(inputSchema, rest, "input");
  const params: ActionParams = {
    action: v.action,
    reason: v.action === "BLOCK" ? v.reason : null,
    until: v.action === "BLOCK" && v.until ? v.until.toISOString() : null,
    groupId: null,
  };
  if (v.action === "ADD_TO_GROUP" || v.action === "REMOVE_FROM_GROUP") {
    const group = await requireGroup(ctx.db, ctx, v.groupId!);
    Object.assign(params, { groupId: group.id, groupName: group.name });
  }
  const selection = await storedSelection(ctx, selectionInput);
  const where = await selectionWhere(ctx, selection, null);
  const count = await countSelection(ctx, where);
  const unconfirmed = v.action === "DELETE" && !v.confirm && v.expectedCount == null;
  if (unconfirmed || (v.expectedCount != null && v.expectedCount !== count)) {
    throw new RuleViolationError(
      "BULK_COUNT_MISMATCH",
      `the selection holds ${count} customers now` +
        (v.expectedCount == null ? ": pass expectedCount or confirm" : `, not ${v.expectedCount}`),
    );
  }
  const size = selection.kind === "IDS" ? selection.ids.length + selection.malformed.length : count;
  if (size <= INLINE_LIMIT) {
    const { outcome, changed } = await runInline(ctx, params, selection, where);
    if (params.action === "UNBLOCK" && hooks.forget) await hooks.forget(changed);
    return { kind: "inline", outcome };
  }
  return { kind: "job", job: await queueJob(ctx, params, selection, count) };
}

async function runInline(ctx: ServiceContext, p: ActionParams, selection: StoredSelection, where: Prisma.Sql) {
  return transact(ctx, async (tx, audit) => {
    const page = {
      where: selection.kind === "IDS" ? idsWhere(ctx, selection.ids) : where,
      after: null as string | null,
      limit: INLINE_LIMIT,
    };
    const outcome: InlineOutcome = { action: p.action, selected: 0, affected: 0, skipped: 0, failures: [] };
    const seen = new Set<string>();
    const changed: string[] = [];
    // A filter may match a few more customers than it counted a moment ago: they are done too.
    for (;;) {
      const result = await applyBatch(tx, audit, ctx, p, page, {});
      result.seen.forEach((id) => seen.add(id));
      changed.push(...result.changed);
      outcome.affected += result.affected;
      outcome.skipped += result.skipped;
      if (result.seen.length < page.limit) break;
      page.after = result.seen.at(-1)!;
    }
    const missing = selection.kind === "IDS" ? [...selection.malformed, ...selection.ids.filter((id) => !seen.has(id))] : [];
    outcome.failures = missing.map((customerId) => ({ customerId, code: "CUSTOMER_NOT_FOUND" }));
    outcome.selected = seen.size + missing.length;
    return { outcome, changed };
  });
}

async function queueJob(ctx: ServiceContext, p: ActionParams, selection: StoredSelection, count: number): Promise<Job> {
  const total = selection.kind === "IDS" ? selection.ids.length + selection.malformed.length : count;
  const options: BulkJobOptions = { ...p, selection, total, actor: ctx.actor, request: ctx.request };
  return transact(ctx, async (tx, audit) => {
    const job = await tx.job.create({
      data: { tenantId: ctx.tenantId, kind: "BULK_ACTION", options: options as unknown as Prisma.InputJsonObject, createdBy: ctx.actor.id },
    });
    await audit({ type: "bulk_action.queued", data: { jobId: job.id, action: p.action, total, selection: selection.kind } });
    return job;
  });
}

type Relations = { include?: Prisma.JobInclude; select?: Prisma.JobSelect };

/** One bulk job of the caller's tenant, or null. */
export async function findBulkJob(ctx: ServiceContext, id: string, relations: Relations = {}): Promise<Job | null> {
  const job = await findJob(ctx, id, relations);
  return job?.kind === "BULK_ACTION" ? job : null;
}

export const listBulkJobs = (ctx: ServiceContext, page: Parameters<typeof listJobs>[2]) => listJobs(ctx, "BULK_ACTION", page);

/**
 * Cancels a bulk job: a QUEUED one at once (`bulk_action.cancelled`), a RUNNING one after its
 * current batch (its runner records the event; what committed stays). A finished job is answered
 * as it is. Throws BULK_JOB_NOT_FOUND. Cost: one transaction of up to three statements.
 */
export async function cancelBulkJob(ctx: ServiceContext, id: string): Promise<Job> {
  const job = await transact(ctx, async (tx, audit) => {
    if (!isUuid(id)) return null;
    const where = { id, tenantId: ctx.tenantId, kind: "BULK_ACTION" as const };
    const now = new Date();
    const queued = await tx.job.updateManyAndReturn({
      where: { ...where, status: "QUEUED" },
      data: { status: "CANCELLED", finishedAt: now },
    });
    if (queued[0]) {
      const action = (queued[0].options as { action?: string }).action;
      await audit({ type: "bulk_action.cancelled", data: { jobId: id, action, ...counters(queued[0]) } });
      return queued[0];
    }
    await tx.job.updateMany({ where: { ...where, status: "RUNNING", cancelRequestedAt: null }, data: { cancelRequestedAt: now } });
    return tx.job.findFirst({ where });
  });
  if (!job) throw new NotFoundError("BULK_JOB_NOT_FOUND");
  return job;
}

import { encodeGlobalID, resolveOffsetConnection } from "@pothos/plugin-relay";
import { builder } from "../graphql/builder.ts";
import { mutationResult } from "../graphql/common.ts";
import { adminService } from "../graphql/context.ts";
import { localIdOrNull } from "../graphql/ids.ts";
import { adminRowWhere } from "../graphql/nodes.ts";
import { BULK_JOB_DATA, CUSTOMERS_WRITE } from "../graphql/policies.ts";
import { CustomerFilterInput } from "../customers/filter.schema.ts";
import type { CustomerFilter } from "../customers/filter.ts";
import { isUuid } from "../ids.ts";
import { listRowErrors } from "../jobs/service.ts";
import { customerAccount } from "../security/throttle.ts";
import { BULK_ACTIONS } from "./actions.ts";
import { bulkOptions } from "./jobs.ts";
import { cancelBulkJob, findBulkJob, listBulkJobs, runBulkAction, type InlineOutcome } from "./service.ts";

// Bulk quick actions over GraphQL: runBulkAction answers the outcome of a small selection or the
// job of a large one; bulkJob / bulkJobs follow jobs, cancelBulkJob stops one. Everything needs
// CUSTOMERS_WRITE: a bulk job tells which customers an action reached.

const BulkAction = builder.enumType("BulkAction", { values: BULK_ACTIONS });
const BulkJobStatus = builder.enumType("BulkJobStatus", { values: ["QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"] as const });

/** Failures name customers as the caller gave them: a Customer global ID, or the unusable id as given. */
const NOT_AN_ID = "not-an-id:";
const customerGlobalId = (id: string) => (id.startsWith(NOT_AN_ID) ? id.slice(NOT_AN_ID.length) : encodeGlobalID("Customer", id));

const BulkActionFailure = builder.objectRef<{ customerId: string; code: string }>("BulkActionFailure").implement({
  authScopes: BULK_JOB_DATA,
  description: "A selected customer the action could not reach.",
  fields: (t) => ({
    customerId: t.id({ description: "As given in the selection.", resolve: (f) => customerGlobalId(f.customerId) }),
    code: t.exposeString("code", { description: "CUSTOMER_NOT_FOUND: no such customer in this tenant (or already deleted)." }),
  }),
});

const counts = {
  affected: "Customers the action changed.",
  skipped: "Customers already in the state asked for (nothing changed, nothing recorded).",
  failed: "Selected customers not found (see failures).",
};

const BulkActionOutcome = builder.objectRef<InlineOutcome>("BulkActionOutcome").implement({
  authScopes: BULK_JOB_DATA,
  description: "A bulk action run in the request (a selection of at most 100): done, in one transaction.",
  fields: (t) => ({
    action: t.field({ type: BulkAction, resolve: (o) => o.action as (typeof BULK_ACTIONS)[number] }),
    selected: t.exposeInt("selected"),
    affected: t.exposeInt("affected", { description: counts.affected }),
    skipped: t.exposeInt("skipped", { description: counts.skipped }),
    failed: t.int({ description: counts.failed, resolve: (o) => o.failures.length }),
    failures: t.field({ type: [BulkActionFailure], resolve: (o) => o.failures }),
  }),
});

export const BulkActionJobRef = builder.prismaNode("Job", {
  variant: "BulkActionJob",
  nullable: true,
  id: { field: "id" },
  authScopes: BULK_JOB_DATA,
  findUnique: (id, ctx) => ({ ...adminRowWhere(id, ctx), kind: "BULK_ACTION" as const }),
  description: "A bulk action over a large selection, run in batches by any node. Counters are those of committed batches.",
  fields: (t) => ({
    status: t.field({ type: BulkJobStatus, resolve: (j) => j.status }),
    action: t.field({ type: BulkAction, resolve: (j) => bulkOptions(j).action }),
    total: t.int({ description: "Customers the selection held when the action started.", resolve: (j) => bulkOptions(j).total }),
    processed: t.exposeInt("rowsRead", { description: "Selected customers handled so far." }),
    affected: t.exposeInt("updated", { description: counts.affected }),
    skipped: t.exposeInt("skipped", { description: counts.skipped }),
    failed: t.exposeInt("failed", { description: counts.failed }),
    error: t.exposeString("error", { nullable: true, description: "Why a FAILED job failed." }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    startedAt: t.expose("startedAt", { type: "DateTime", nullable: true }),
    finishedAt: t.expose("finishedAt", { type: "DateTime", nullable: true }),
    cancelRequestedAt: t.expose("cancelRequestedAt", { type: "DateTime", nullable: true }),
    failures: t.connection({
      type: BulkActionFailure,
      description: "The failed customers, in the order met (the first 10,000 are kept).",
      resolve: (job, args, ctx) =>
        resolveOffsetConnection({ args, defaultSize: 50, maxSize: 500 }, async ({ limit, offset }) =>
          (await listRowErrors(ctx.db, job.id, { take: limit, skip: offset })).map((e) => ({ customerId: e.field ?? "", code: e.message })),
        ),
    }),
  }),
});

const BulkActionRun = builder.unionType("BulkActionRun", {
  types: [BulkActionOutcome, BulkActionJobRef],
  description: "Done at once (BulkActionOutcome), or queued as a job to follow (BulkActionJob).",
  resolveType: (value) => ("kind" in value ? "BulkActionJob" : "BulkActionOutcome"),
});

const BulkSelectionInput = builder.inputType("BulkSelectionInput", {
  description: "Exactly one of: customer ids (at most 10,000), a filter, a segment.",
  fields: (t) => ({
    ids: t.idList(),
    filter: t.field({ type: CustomerFilterInput }),
    segmentId: t.id(),
  }),
});

const RunBulkActionInput = builder.inputType("RunBulkActionInput", {
  fields: (t) => ({
    action: t.field({ type: BulkAction, required: true }),
    selection: t.field({ type: BulkSelectionInput, required: true }),
    reason: t.string({ description: "BLOCK: required, as blockCustomer." }),
    until: t.field({ type: "DateTime", description: "BLOCK: when the block ends (absent: until unblocked)." }),
    groupId: t.id({ description: "ADD_TO_GROUP, REMOVE_FROM_GROUP: the group." }),
    expectedCount: t.int({ description: "The selection's size the caller showed; the action is refused if it differs now." }),
    confirm: t.boolean({ description: "DELETE without expectedCount: true to delete whatever the selection holds now." }),
  }),
});

builder.queryFields((t) => ({
  bulkJob: t.prismaField({
    type: BulkActionJobRef,
    nullable: true,
    authScopes: CUSTOMERS_WRITE,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (query, _root, args, ctx) => {
      const id = localIdOrNull(args.id, "BulkActionJob");
      return id ? findBulkJob(adminService(ctx), id, query) : null;
    },
  }),
  bulkJobs: t.prismaConnection(
    {
      type: BulkActionJobRef,
      cursor: "id",
      authScopes: CUSTOMERS_WRITE,
      description: "The tenant's bulk-action jobs, newest first.",
      resolve: (query, _root, _args, ctx) => listBulkJobs(adminService(ctx), query),
    },
    { name: "BulkActionJobConnection" },
  ),
}));

builder.mutationFields((t) => ({
  runBulkAction: t.field({
    ...mutationResult(BulkActionRun, "run", CUSTOMERS_WRITE),
    description:
      "Runs a quick action over a selection: at most 100 customers at once, more as a job. DELETE needs expectedCount or confirm.",
    args: { input: t.arg({ type: RunBulkActionInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const ids = input.selection.ids?.map((id) => {
        const local = localIdOrNull(id, "Customer");
        return local && isUuid(local) ? local : `${NOT_AN_ID}${id}`;
      });
      const selection = { ...input.selection, ids, filter: input.selection.filter as CustomerFilter | null | undefined };
      const groupId = input.groupId ? (localIdOrNull(input.groupId, "Group") ?? "not-a-group") : input.groupId;
      const forget = (customerIds: string[]) => Promise.all(customerIds.map((id) => ctx.auth.throttle.forget(customerAccount(id))));
      const segmentId = input.selection.segmentId ? (localIdOrNull(input.selection.segmentId, "Segment") ?? "") : null;
      const run = await runBulkAction(adminService(ctx), { ...input, groupId, selection: { ...selection, segmentId } }, { forget });
      return run.kind === "job" ? run.job : run.outcome;
    },
  }),
  cancelBulkJob: t.field({
    ...mutationResult(BulkActionJobRef, "job", CUSTOMERS_WRITE),
    description: "Stops a bulk-action job: a queued one at once, a running one after its current batch (what committed stays).",
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => cancelBulkJob(adminService(ctx), localIdOrNull(id, "BulkActionJob") ?? ""),
  }),
}));

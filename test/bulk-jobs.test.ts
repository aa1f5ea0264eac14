import { describe, expect, it } from "vitest";
import {
  BulkJobDocument,
  BulkJobsDocument,
  CancelBulkJobDocument,
  DefineCustomFieldDocument,
  RetireCustomFieldDocument,
} from "./generated/graphql.ts";
import { useTestGateway } from "./helpers/suite.ts";
import { byPrefix, customerIds, drain, eventsOf, runBulk, runnerDeps, seedCustomers } from "./helpers/bulk.ts";
import { globalId, rowId } from "./helpers/ids.ts";
import { claimBulkJob } from "../src/bulk/jobs.ts";
import { runClaimedJob } from "../src/bulk/runner.ts";
import { failAbandonedJobs } from "../src/jobs/service.ts";

// Bulk actions over more than one page of customers: a durable BULK_ACTION job that any node's
// worker claims (SKIP LOCKED, lease), runs in batches with a keyset cursor, and resumes after a crash.

const gw = useTestGateway();
const A = () => gw.tenants.A.id;

async function startJob(input: Parameters<typeof runBulk>[1], as: "A" | "B" = "A") {
  const run = await runBulk(gw, input, as);
  if (run.__typename !== "BulkActionJob") throw new Error(`expected a job: ${JSON.stringify(run)}`);
  return run;
}
const jobOf = async (id: string, as: "A" | "B" = "A") => (await gw.gql(BulkJobDocument, { id, failures: 50 }, as)).data!.bulkJob;
const disabledCount = (ids: string[]) => gw.db.customer.count({ where: { id: { in: ids }, status: "DISABLED" } });
const forJob = async (type: string, jobId: string) =>
  (await eventsOf(gw, A(), type)).filter((e) => (e.data as { jobId?: string }).jobId === rowId(jobId));

describe("bulk-action jobs", () => {
  it("a selection over one page becomes a queued job; a worker runs it in batches with one event per customer", async () => {
    const ids = await seedCustomers(gw, A(), "big", 250);
    const job = await startJob({ action: "DISABLE", selection: { filter: byPrefix("big") } });
    expect(job).toMatchObject({ status: "QUEUED", action: "DISABLE", total: 250, processed: 0 });
    expect(await disabledCount(ids)).toBe(0);
    expect(await drain(gw)).toBe(1);
    expect(await jobOf(job.id)).toMatchObject({ status: "COMPLETED", processed: 250, affected: 250, skipped: 0, failed: 0 });
    expect(await disabledCount(ids)).toBe(250);
    const disabled = await forJob("customer.disabled", job.id);
    expect(disabled.map((e) => e.customerId).sort()).toEqual(ids);
    expect(disabled[0]!.data).toMatchObject({ changes: { status: { from: "ACTIVE", to: "DISABLED" } } });
    const progress = await forJob("bulk_action.progressed", job.id);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress.length).toBeLessThanOrEqual(3);
    expect(progress.at(-1)!.data).toMatchObject({ processed: 250, affected: 250, total: 250 });
    expect((await forJob("bulk_action.started", job.id)).length).toBe(1);
    expect((await forJob("bulk_action.completed", job.id)).length).toBe(1);
    const listed = (await gw.gql(BulkJobsDocument, { first: 10 })).data!.bulkJobs.edges.map((e) => e.node.id);
    expect(listed).toContain(job.id);
  });

  it("a DELETE job deletes what deleteCustomer deletes, with customer.deleted (uid, jobId) per customer", async () => {
    const ids = await seedCustomers(gw, A(), "gone", 130);
    await gw.db.session.create({
      data: { tenantId: A(), customerId: ids[0]!, expiresAt: new Date(Date.now() + 3_600_000), lastSeenAt: new Date() },
    });
    const job = await startJob({ action: "DELETE", selection: { filter: byPrefix("gone") }, expectedCount: 130 });
    await drain(gw);
    expect(await jobOf(job.id)).toMatchObject({ status: "COMPLETED", affected: 130 });
    expect(await gw.db.customer.count({ where: { id: { in: ids } } })).toBe(0);
    expect(await gw.db.session.count({ where: { customerId: ids[0]! } })).toBe(0);
    const deleted = await forJob("customer.deleted", job.id);
    expect(deleted.map((e) => e.customerId).sort()).toEqual(ids);
    expect(deleted.find((e) => e.customerId === ids[0])!.data).toEqual({ uid: expect.stringMatching(/^gone-uid-/), jobId: rowId(job.id) });
  });

  it("an ids selection reports each missing or foreign customer as a failure", async () => {
    const ids = await seedCustomers(gw, A(), "idsjob", 120);
    const [foreign] = await seedCustomers(gw, gw.tenants.B.id, "idsjob-b", 1);
    const unknown = "00000000-0000-4000-8000-0000000000ff";
    const job = await startJob({ action: "DISABLE", selection: { ids: [...customerIds([...ids, foreign!, unknown]), "junk"] } });
    expect(job.total).toBe(123);
    await drain(gw, 50);
    const done = await jobOf(job.id);
    expect(done).toMatchObject({ status: "COMPLETED", processed: 123, affected: 120, failed: 3 });
    const failures = done!.failures.edges.map((e) => e.node);
    expect(new Set(failures.map((f) => f.customerId))).toEqual(
      new Set([globalId("Customer", foreign!), globalId("Customer", unknown), "junk"]),
    );
    expect((await gw.db.customer.findUnique({ where: { id: foreign! } }))!.status).toBe("ACTIVE");
  });

  it("a crashed node's job is resumed by another after its lease ran out, without doing anything twice", async () => {
    const ids = await seedCustomers(gw, A(), "crash", 300);
    const job = await startJob({ action: "BLOCK", reason: "chargebacks", selection: { filter: byPrefix("crash") } });
    const first = await claimBulkJob(gw.db, 60_000);
    expect(await runClaimedJob(runnerDeps(gw), first!, { maxBatches: 1 })).toBe("paused");
    expect(await jobOf(job.id)).toMatchObject({ status: "RUNNING", processed: 100 });
    expect(await failAbandonedJobs(gw.db)).toBe(0);
    expect(await drain(gw)).toBe(0); // the lease still holds
    await gw.db.job.update({ where: { id: rowId(job.id) }, data: { leaseUntil: new Date(Date.now() - 1000), heartbeatAt: new Date(0) } });
    expect(await failAbandonedJobs(gw.db)).toBe(0); // the start-up sweep leaves bulk jobs to the workers
    expect(await drain(gw)).toBe(1);
    // The first node wakes up: its lease is gone, it writes nothing.
    expect(await runClaimedJob(runnerDeps(gw), first!)).toBe("lease-lost");
    expect(await jobOf(job.id)).toMatchObject({ status: "COMPLETED", processed: 300, affected: 300 });
    const blocked = await forJob("customer.blocked", job.id);
    expect(blocked.length).toBe(300);
    expect(new Set(blocked.map((e) => e.customerId)).size).toBe(300);
    expect(blocked.map((e) => e.customerId).sort()).toEqual(ids);
    expect((await forJob("bulk_action.resumed", job.id)).length).toBe(1);
  });

  it("two workers at once share the jobs and never run one twice", async () => {
    const first = await seedCustomers(gw, A(), "pair-x", 150);
    const second = await seedCustomers(gw, A(), "pair-y", 150);
    const jobs = [
      await startJob({ action: "DISABLE", selection: { filter: byPrefix("pair-x") } }),
      await startJob({ action: "DISABLE", selection: { filter: byPrefix("pair-y") } }),
    ];
    const ran = await Promise.all([drain(gw, 50), drain(gw, 50)]);
    expect(ran[0]! + ran[1]!).toBe(2);
    for (const [job, ids] of [
      [jobs[0]!, first],
      [jobs[1]!, second],
    ] as const) {
      expect(await jobOf(job.id)).toMatchObject({ status: "COMPLETED", affected: 150 });
      expect((await forJob("customer.disabled", job.id)).map((e) => e.customerId).sort()).toEqual(ids);
      expect((await forJob("bulk_action.started", job.id)).length).toBe(1);
    }
  });

  it("cancelling: a queued job ends at once, a running one after its current batch", async () => {
    await seedCustomers(gw, A(), "cancel", 250);
    const queued = await startJob({ action: "DISABLE", selection: { filter: byPrefix("cancel") } });
    const cancelled = (await gw.gql(CancelBulkJobDocument, { id: queued.id })).data!.cancelBulkJob;
    expect(cancelled).toMatchObject({ job: { status: "CANCELLED", processed: 0 } });
    expect(await drain(gw)).toBe(0);
    const running = await startJob({ action: "DISABLE", selection: { filter: byPrefix("cancel") } });
    const claim = await claimBulkJob(gw.db, 60_000);
    await runClaimedJob(runnerDeps(gw), claim!, { maxBatches: 1 });
    const asked = (await gw.gql(CancelBulkJobDocument, { id: running.id })).data!.cancelBulkJob;
    expect(asked).toMatchObject({ job: { status: "RUNNING" } });
    expect(await runClaimedJob(runnerDeps(gw), claim!)).toBe("finished");
    expect(await jobOf(running.id)).toMatchObject({ status: "CANCELLED", processed: 100, affected: 100 });
    expect((await forJob("bulk_action.cancelled", running.id)).length).toBe(1);
  });

  it("a job whose filter no longer compiles (its custom field retired) ends FAILED with bulk_action.failed", async () => {
    const field = (await gw.gql(DefineCustomFieldDocument, { input: { key: "cohort", type: "STRING" } })).data!.defineCustomField;
    if (field.__typename !== "DefineCustomFieldPayload") throw new Error(JSON.stringify(field));
    const ids = await seedCustomers(gw, A(), "cohort", 120);
    await gw.db.customer.updateMany({ where: { id: { in: ids } }, data: { customFields: { cohort: "2019" } } });
    const job = await startJob({ action: "DISABLE", selection: { filter: { customFields: [{ key: "cohort", equals: "2019" }] } } });
    await gw.gql(RetireCustomFieldDocument, { id: field.customField.id });
    await drain(gw);
    const failed = await jobOf(job.id);
    expect(failed).toMatchObject({ status: "FAILED", processed: 0 });
    expect(failed!.error).toContain("selection.filter.customFields.0.key");
    expect((await forJob("bulk_action.failed", job.id)).length).toBe(1);
    expect(await disabledCount(ids)).toBe(0);
  });

  it("another tenant's job is not found: bulkJob answers null, cancelBulkJob BULK_JOB_NOT_FOUND", async () => {
    await seedCustomers(gw, A(), "tenant", 150);
    const job = await startJob({ action: "ENABLE", selection: { filter: byPrefix("tenant") } });
    expect(await jobOf(job.id, "B")).toBeNull();
    const res = await gw.gql(CancelBulkJobDocument, { id: job.id }, "B");
    expect(res.data!.cancelBulkJob).toMatchObject({ __typename: "NotFoundError", code: "BULK_JOB_NOT_FOUND" });
    expect((await gw.gql(BulkJobsDocument, { first: 50 }, "B")).data!.bulkJobs.edges.map((e) => e.node.id)).not.toContain(job.id);
    await drain(gw);
  });
});

describe("the bulk worker started with the gateway", () => {
  const node = useTestGateway({ env: { BULK_WORKER_INTERVAL_MS: "50" } });

  it("runs a queued job by itself (woken by bulk_action.queued, or its poll)", async () => {
    const ids = await seedCustomers(node, node.tenants.A.id, "auto", 150);
    const run = await runBulk(node, { action: "DISABLE", selection: { filter: byPrefix("auto") } });
    if (run.__typename !== "BulkActionJob") throw new Error(JSON.stringify(run));
    const deadline = Date.now() + 20_000;
    let status = run.status;
    while (status !== "COMPLETED" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await node.gql(BulkJobDocument, { id: run.id })).data!.bulkJob!.status;
    }
    expect(status).toBe("COMPLETED");
    expect(await node.db.customer.count({ where: { id: { in: ids }, status: "DISABLED" } })).toBe(150);
  });
});

import { drainBulkJobs } from "../../src/bulk/worker.ts";
import type { RunnerDeps } from "../../src/bulk/runner.ts";
import { RunBulkActionDocument, type RunBulkActionInput } from "../generated/graphql.ts";
import type { TestGateway } from "./gateway.ts";
import { globalId } from "./ids.ts";
import { auditTrail } from "./snapshot.ts";

/**
 * Inserts `n` customers of `tenant` straight into the table (usernames `<prefix>-1` …, created a
 * minute ago so a job started now selects them). Returns their row ids in id order.
 */
export async function seedCustomers(gw: TestGateway, tenantId: string, prefix: string, n: number, status = "ACTIVE"): Promise<string[]> {
  const rows = await gw.db.$queryRaw<{ id: string }[]>`
    INSERT INTO customer (id, tenant_id, uid, username, status, created_at, updated_at)
    SELECT gen_random_uuid(), ${tenantId}::uuid, ${prefix} || '-uid-' || g, ${prefix} || '-' || g, ${status}::"CustomerStatus",
      now() - interval '1 minute', now() - interval '1 minute'
    FROM generate_series(1, ${n}::int) g
    RETURNING id::text`;
  return rows.map((r) => r.id).sort();
}

/** A group of the tenant, inserted directly (the groups API is another domain's). Returns its row id. */
export async function seedGroup(gw: TestGateway, tenantId: string, name: string): Promise<string> {
  const group = await gw.db.group.create({ data: { tenantId, name } });
  return group.id;
}

export const customerIds = (ids: string[]) => ids.map((id) => globalId("Customer", id));

/** The filter selecting the customers seeded with `prefix`. */
export const byPrefix = (prefix: string) => ({ username: { startsWith: `${prefix}-` } });

/** runBulkAction through the endpoint; answers the payload's `run` or throws on an error result. */
export async function runBulk(gw: TestGateway, input: RunBulkActionInput, as: "A" | "B" = "A") {
  const res = await gw.gql(RunBulkActionDocument, { input }, as);
  const payload = res.data?.runBulkAction;
  if (payload?.__typename !== "RunBulkActionPayload") throw new Error(`runBulkAction failed: ${JSON.stringify(res)}`);
  return payload.run;
}

/** What the bulk workers run with in tests: small batches so a few hundred customers make several. */
export const runnerDeps = (gw: TestGateway, batchSize = 100, leaseMs = 60_000): RunnerDeps => ({
  db: gw.db,
  events: gw.app.events,
  batchSize,
  leaseMs,
});

export const drain = (gw: TestGateway, batchSize = 100) => drainBulkJobs(runnerDeps(gw, batchSize));

/** The tenant's audit events of `type`, oldest first. */
export async function eventsOf(gw: TestGateway, tenantId: string, type: string) {
  return (await auditTrail(gw.db, tenantId)).filter((e) => e.type === type);
}

import type { Db } from "../db/database.ts";
import { transact, type AuditWriter, type Tx } from "../db/transact.ts";
import type { EventBus } from "../events/bus.ts";
import { serviceContext } from "../service-context.ts";
import type { ClaimedDelivery } from "./claims.ts";
import type { SendResult } from "./send.ts";

// Recording an attempt, fenced by the claim token: it logs the attempt, moves the delivery on
// (DELIVERED, PENDING with its next time, or FAILED with `connector.delivery_failed`), and keeps
// the connector's run of failures: a success resets it, reaching disable_after_failures
// deactivates the connector with `connector.failed` (reactivating it is an admin's act). Audit
// events name the connector as actor, so the outbox never queues a connector's own events back to
// itself. Successes — nearly every attempt — are one auto-committed statement, for as many as
// finished together (successRecorder); a failure is one short transaction (it may write events).
//
// Test deliveries (testConnector's sample) get one attempt and touch neither the connector's run
// of failures nor the audit trail: they answer "does the target work now?".

const DAY_MS = 86_400_000;
/** Exponential backoff adds up to this fraction at random, so retries of a failed burst spread out. */
const JITTER = 0.1;

export type AttemptOutcome = Pick<SendResult, "ok" | "startedAt" | "durationMs" | "statusCode" | "error" | "responseExcerpt">;

/**
 * The wait before attempt `attempts + 1`: FIXED waits the interval, EXPONENTIAL doubles it per
 * failed attempt (interval × 2^(attempts−1), at most a day, plus up to 10% jitter). Never less than
 * CONNECTOR_MIN_RETRY_INTERVAL_MS.
 */
export function retryDelayMs(policy: Pick<ClaimedDelivery, "backoff" | "retryIntervalMs">, attempts: number, minMs: number): number {
  const base = Math.max(policy.retryIntervalMs, minMs);
  if (policy.backoff === "FIXED") return base;
  const grown = Math.min(DAY_MS, base * 2 ** Math.max(0, attempts - 1));
  return Math.min(DAY_MS, Math.round(grown * (1 + Math.random() * JITTER)));
}

/**
 * Records a failed attempt for `claim` if the claim still holds (else nothing: the lease ran out
 * and the delivery belongs to another claim). Answers the retry delay when another attempt was
 * scheduled. Successes go through recordSuccesses instead. Cost: one transaction of 3–5
 * statements (the audit statement only when an event is written).
 */
export async function recordFailure(
  deps: { db: Db; events: EventBus },
  claim: ClaimedDelivery,
  outcome: AttemptOutcome,
  minRetryIntervalMs: number,
): Promise<number | null> {
  const ctx = serviceContext(deps, claim.tenantId, { kind: "CONNECTOR", id: claim.connectorId });
  return transact(ctx, async (tx, audit) => {
    const attempts = claim.attempts + 1;
    const final = claim.test || attempts >= claim.maxAttempts;
    const retryIn = final ? null : retryDelayMs(claim, attempts, minRetryIntervalMs);
    const moved = await tx.$executeRaw`
      UPDATE connector_delivery
      SET status = ${final ? "FAILED" : "PENDING"}::"DeliveryStatus", attempts = attempts + 1, claim_token = NULL,
          last_status_code = ${outcome.statusCode}::int, last_error = ${outcome.error}::text,
          next_attempt_at = CASE WHEN ${retryIn}::int IS NULL THEN next_attempt_at ELSE now() + ${retryIn}::int * interval '1 millisecond' END
      WHERE id = ${claim.id}::uuid AND claim_token = ${claim.claimToken}::uuid`;
    if (moved === 0) return null;
    await logAttempt(tx, claim, outcome);
    if (claim.test) return null;
    if (final) {
      await audit({
        type: "connector.delivery_failed",
        data: {
          connectorId: claim.connectorId,
          deliveryId: claim.id,
          eventId: claim.eventId,
          eventType: claim.eventType,
          customerId: claim.customerId,
          attempts,
          statusCode: outcome.statusCode,
          error: outcome.error,
        },
      });
    }
    await countFailure(tx, audit, claim, outcome);
    return retryIn;
  });
}

/** A successful attempt of a claimed delivery (its error, if any, is the post-event write-back's). */
export interface Success {
  claim: ClaimedDelivery;
  outcome: AttemptOutcome;
}

/**
 * Records successful attempts, where their claims still hold, in one auto-committed statement:
 * the deliveries DELIVERED, their attempts logged, and the run of failures of their connectors
 * reset (test deliveries leave it alone; a connector already at 0 is not written, so the usual
 * success locks no connector row; the others are locked in id order, so two nodes' statements
 * cannot deadlock on them).
 */
export async function recordSuccesses(db: Db, successes: Success[]): Promise<void> {
  const rows = JSON.stringify(
    successes.map(({ claim, outcome }) => ({
      id: claim.id,
      token: claim.claimToken,
      startedAt: outcome.startedAt,
      durationMs: Math.round(outcome.durationMs),
      statusCode: outcome.statusCode,
      error: outcome.error,
      excerpt: outcome.responseExcerpt,
    })),
  );
  await db.$executeRaw`
    WITH r AS (
      SELECT (x->>'id')::uuid AS id, (x->>'token')::uuid AS token, (x->>'startedAt')::timestamptz AS started_at,
             (x->>'durationMs')::int AS duration_ms, (x->>'statusCode')::int AS status_code, x->>'error' AS error, x->>'excerpt' AS excerpt
      FROM jsonb_array_elements(${rows}::jsonb) AS x
    ), moved AS (
      UPDATE connector_delivery d
      SET status = 'DELIVERED', attempts = d.attempts + 1, claim_token = NULL, last_status_code = r.status_code,
          last_error = r.error, delivered_at = now()
      FROM r WHERE d.id = r.id AND d.claim_token = r.token
      RETURNING d.id, d.tenant_id, d.connector_id, d.test
    ), logged AS (
      INSERT INTO delivery_attempt (id, delivery_id, tenant_id, number, started_at, duration_ms, status_code, error, response_excerpt)
      SELECT gen_random_uuid(), m.id, m.tenant_id, (SELECT coalesce(max(a.number), 0) + 1 FROM delivery_attempt a WHERE a.delivery_id = m.id),
             r.started_at, r.duration_ms, r.status_code, r.error, r.excerpt
      FROM moved m JOIN r ON r.id = m.id
    ), recovered AS (
      SELECT c.id FROM connector c
      WHERE c.id IN (SELECT connector_id FROM moved WHERE NOT test) AND c.consecutive_failures <> 0
      ORDER BY c.id FOR UPDATE
    )
    UPDATE connector SET consecutive_failures = 0 WHERE id IN (SELECT id FROM recovered)`;
}

/**
 * Records successes as they come, gathered: one finishing while a statement is on its way waits
 * for it and goes with the others that finished meanwhile in the next (no timer: a lone success is
 * recorded at once, a burst costs one statement per round trip). Resolves once recorded.
 */
export function successRecorder(db: Db): (success: Success) => Promise<void> {
  let queued: { success: Success; settle: (error?: unknown) => void }[] = [];
  let running = false;
  const drain = async () => {
    while (queued.length > 0) {
      const batch = queued;
      queued = [];
      const error = await recordSuccesses(
        db,
        batch.map((q) => q.success),
      ).then(
        () => undefined,
        (failure: unknown) => failure ?? new Error("recording successes failed"),
      );
      for (const q of batch) q.settle(error);
    }
    running = false;
  };
  return (success) =>
    new Promise<void>((resolve, reject) => {
      queued.push({ success, settle: (error) => (error ? reject(error) : resolve()) });
      if (running) return;
      running = true;
      setImmediate(() => void drain());
    });
}

/** Appends the attempt to the delivery's log; its number continues across replays. */
async function logAttempt(tx: Tx, claim: ClaimedDelivery, outcome: AttemptOutcome): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO delivery_attempt (id, delivery_id, tenant_id, number, started_at, duration_ms, status_code, error, response_excerpt)
    SELECT gen_random_uuid(), ${claim.id}::uuid, ${claim.tenantId}::uuid, coalesce(max(number), 0) + 1, ${outcome.startedAt},
           ${Math.round(outcome.durationMs)}::int, ${outcome.statusCode}::int, ${outcome.error}, ${outcome.responseExcerpt}
    FROM delivery_attempt WHERE delivery_id = ${claim.id}::uuid`;
}

/** One more failure in a row; at the connector's limit, deactivates it (while it is active) with `connector.failed`. */
async function countFailure(tx: Tx, audit: AuditWriter, claim: ClaimedDelivery, outcome: AttemptOutcome): Promise<void> {
  // The row stays locked until commit: `active` read here is what the deactivation below changes.
  const [run] = await tx.$queryRaw<{ failures: number; limit: number; active: boolean }[]>`
    UPDATE connector SET consecutive_failures = consecutive_failures + 1 WHERE id = ${claim.connectorId}::uuid
    RETURNING consecutive_failures AS failures, disable_after_failures AS "limit", active`;
  if (!run || !run.active || run.failures < run.limit) return;
  const reason = `${run.failures} failed attempts in a row (last: ${outcome.error ?? "no error"})`;
  await tx.$executeRaw`
    UPDATE connector SET active = false, deactivated_reason = ${reason}, updated_at = now() WHERE id = ${claim.connectorId}::uuid`;
  await audit({
    type: "connector.failed",
    data: { connectorId: claim.connectorId, consecutiveFailures: run.failures, deactivatedReason: reason },
  });
}

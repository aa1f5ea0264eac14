import type { Db } from "../db/database.ts";
import { transact, type AuditWriter, type Tx } from "../db/transact.ts";
import type { EventBus } from "../events/bus.ts";
import { serviceContext } from "../service-context.ts";
import type { ClaimedDelivery } from "./claims.ts";
import type { SendResult } from "./send.ts";

// Recording an attempt: one short transaction per result, fenced by the claim token. It logs the
// attempt, moves the delivery on (DELIVERED, PENDING with its next time, or FAILED with
// `connector.delivery_failed`), and keeps the connector's run of failures: a success resets it,
// reaching disable_after_failures deactivates the connector with `connector.failed` (reactivating
// it is an admin's act). Audit events name the connector as actor, so the outbox never queues a
// connector's own events back to itself.
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
 * Records `outcome` for `claim` if the claim still holds (else nothing: the lease ran out and the
 * delivery belongs to another claim). Answers the retry delay when another attempt was scheduled.
 * Cost: one transaction of 3–5 statements (the audit statement only when an event is written).
 */
export async function recordAttempt(
  deps: { db: Db; events: EventBus },
  claim: ClaimedDelivery,
  outcome: AttemptOutcome,
  minRetryIntervalMs: number,
): Promise<number | null> {
  const ctx = serviceContext(deps, claim.tenantId, { kind: "CONNECTOR", id: claim.connectorId });
  return transact(ctx, async (tx, audit) => {
    const attempts = claim.attempts + 1;
    const final = outcome.ok || claim.test || attempts >= claim.maxAttempts;
    const retryIn = final ? null : retryDelayMs(claim, attempts, minRetryIntervalMs);
    const status = outcome.ok ? "DELIVERED" : final ? "FAILED" : "PENDING";
    const moved = await tx.$executeRaw`
      UPDATE connector_delivery
      SET status = ${status}::"DeliveryStatus", attempts = attempts + 1, claim_token = NULL,
          last_status_code = ${outcome.statusCode}::int, last_error = ${outcome.error}::text,
          delivered_at = CASE WHEN ${outcome.ok}::boolean THEN now() ELSE delivered_at END,
          next_attempt_at = CASE WHEN ${retryIn}::int IS NULL THEN next_attempt_at ELSE now() + ${retryIn}::int * interval '1 millisecond' END
      WHERE id = ${claim.id}::uuid AND claim_token = ${claim.claimToken}::uuid`;
    if (moved === 0) return null;
    await logAttempt(tx, claim, outcome);
    if (claim.test) return null;
    if (outcome.ok) {
      await tx.$executeRaw`UPDATE connector SET consecutive_failures = 0 WHERE id = ${claim.connectorId}::uuid AND consecutive_failures <> 0`;
      return null;
    }
    if (status === "FAILED") {
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

import type { Db } from "../db/database.ts";
import type { RetryBackoff } from "../generated/prisma/enums.ts";
import { deliveryInputsSql } from "./payload.ts";
import type { SendTarget } from "./send.ts";

// Claiming deliveries (the outbox's consumer side). Every statement here is one short
// auto-committed statement: no transaction is held across a send (on PGlite, with its single
// connection, that would stall every other request for the length of the send).
//
// A claim is a lease: status SENDING, a fresh claim_token, and next_attempt_at moved to the end of
// the lease (the connector's timeout plus CONNECTOR_LEASE_MARGIN_MS). A node that dies mid-send
// leaves the row SENDING; once the lease has run out the row is due again and any node claims
// it (same delivery id, so the receiver sees the same webhook-id). Results are written only where
// the claim_token still matches, so a node whose lease ran out cannot overwrite its successor's.

/** A claimed delivery with what sending it needs from its connector. */
export interface ClaimedDelivery extends SendTarget {
  /** The delivery id: the webhook-id of every attempt. */
  id: string;
  tenantId: string;
  eventId: string | null;
  eventType: string;
  customerId: string | null;
  test: boolean;
  /** Attempts made before this claim. */
  attempts: number;
  claimToken: string;
  /** The body as stored (jsonb's text form, the same bytes on every attempt); null while the connector's logic has yet to build it. */
  payloadText: string | null;
  /** The normalized input (JSON text) the logic builds the body from, read by the claim; null once built and for test deliveries. */
  inputText: string | null;
  rule: string | null;
  mapping: string | null;
  preEvent: string | null;
  postEvent: string | null;
  retryIntervalMs: number;
  maxAttempts: number;
  backoff: RetryBackoff;
}

/**
 * Claims up to `limit` due deliveries in one statement. Due: PENDING or SENDING (a lease that ran
 * out) with next_attempt_at passed, of an active connector (test deliveries go out whatever the
 * connector's state), and no earlier event (lower event_seq) of the same customer still open for
 * the same connector — per-customer order per connector, read on connector_delivery_open_idx.
 * FOR UPDATE SKIP LOCKED lets nodes claim side by side without waiting on each other; a row
 * another node claimed and committed meanwhile is re-checked under its lock and no longer due.
 * Oldest due first.
 *
 * The same statement reads the inputs of the first attempts (payload.ts deliveryInputsSql): a
 * connector without logic (no preEvent, rule or mapping) sends the input itself, so its body is
 * stored right here and comes back as payloadText; one with logic gets the input as inputText to
 * build the body from (storeBodies), and so does one whose event holds sealed PII (opened in
 * JavaScript, deliver.ts: PostgreSQL has no keys). Cost: one statement, whatever the claim holds.
 */
export async function claimDeliveries(db: Db, limit: number, leaseMarginMs: number): Promise<ClaimedDelivery[]> {
  return db.$queryRaw<ClaimedDelivery[]>`
    WITH due AS (
      SELECT d.id, d.event_id, d.tenant_id, d.payload IS NULL AND NOT d.test AS first,
             c.pre_event IS NULL AND c.rule IS NULL AND c.mapping IS NULL AS plain
      FROM connector_delivery d
      JOIN connector c ON c.id = d.connector_id AND c.tenant_id = d.tenant_id
      WHERE d.status IN ('PENDING', 'SENDING') AND d.next_attempt_at <= now() AND (c.active OR d.test)
        AND NOT EXISTS (
          SELECT 1 FROM connector_delivery e
          WHERE e.connector_id = d.connector_id AND e.customer_id = d.customer_id
            AND e.status IN ('PENDING', 'SENDING') AND e.event_seq < d.event_seq)
      ORDER BY d.next_attempt_at, d.event_seq
      LIMIT ${limit}
      FOR UPDATE OF d SKIP LOCKED
    ), ${deliveryInputsSql("due WHERE due.first")}
    UPDATE connector_delivery d
    SET status = 'SENDING', claim_token = gen_random_uuid(),
        next_attempt_at = now() + (c.timeout_ms + ${leaseMarginMs}::int) * interval '1 millisecond',
        payload = CASE WHEN due.first AND due.plain AND NOT i.sealed THEN i.input ELSE d.payload END
    FROM due LEFT JOIN inputs i ON i.event_id = due.event_id AND i.tenant_id = due.tenant_id, connector c
    WHERE d.id = due.id AND c.id = d.connector_id AND c.tenant_id = d.tenant_id
    RETURNING d.id, d.tenant_id AS "tenantId", d.connector_id AS "connectorId", d.event_id AS "eventId", d.event_type AS "eventType",
      d.customer_id AS "customerId", d.test, d.attempts, d.claim_token AS "claimToken", d.payload::text AS "payloadText",
      CASE WHEN due.first AND NOT (due.plain AND NOT coalesce(i.sealed, false)) THEN i.input::text END AS "inputText",
      c.url, c.headers, c.timeout_ms AS "timeoutMs", c.rule, c.mapping, c.pre_event AS "preEvent", c.post_event AS "postEvent",
      c.retry_interval_ms AS "retryIntervalMs", c.max_attempts AS "maxAttempts", c.backoff::text AS backoff,
      c.secret_sealed AS "secretSealed", c.previous_secret_sealed AS "previousSecretSealed",
      c.previous_secret_expires_at AS "previousSecretExpiresAt"`;
}

/** What a first attempt's logic answered: the body to send, or `skip` when the rule did not hold. */
export type BuiltBody = { claim: ClaimedDelivery; skip: true } | { claim: ClaimedDelivery; skip: false; body: unknown };

/**
 * Settles the bodies built at first attempts, where the claims still hold: stores each body (what
 * every attempt sends) and marks the skipped SKIPPED (nothing sent, no attempt logged, unclaimed).
 * Answers the stored text by delivery id; a delivery missing from it was skipped or its claim was
 * lost (the lease ran out meanwhile: it is another claim's now). Cost: one statement for all.
 */
export async function storeBodies(db: Db, built: BuiltBody[]): Promise<Map<string, string>> {
  if (built.length === 0) return new Map();
  // The body travels wrapped in an object: a body that is JSON null stays a jsonb null, not SQL NULL.
  const rows = JSON.stringify(
    built.map((b) => ({ id: b.claim.id, token: b.claim.claimToken, skip: b.skip, body: b.skip ? null : b.body })),
  );
  const stored = await db.$queryRaw<{ id: string; payload: string | null }[]>`
    UPDATE connector_delivery d
    SET payload = CASE WHEN b.skip THEN d.payload ELSE b.body END,
        status = CASE WHEN b.skip THEN 'SKIPPED'::"DeliveryStatus" ELSE d.status END,
        claim_token = CASE WHEN b.skip THEN NULL ELSE d.claim_token END
    FROM (SELECT (x->>'id')::uuid AS id, (x->>'token')::uuid AS token, (x->>'skip')::boolean AS skip, x->'body' AS body
          FROM jsonb_array_elements(${rows}::jsonb) AS x) b
    WHERE d.id = b.id AND d.claim_token = b.token
    RETURNING d.id, CASE WHEN b.skip THEN NULL ELSE d.payload::text END AS payload`;
  return new Map(stored.flatMap((row) => (row.payload === null ? [] : [[row.id, row.payload]])));
}

/** Gives a claim back at once (this node is stopping mid-send): due again now, no attempt counted. */
export async function releaseClaim(db: Db, claim: ClaimedDelivery): Promise<void> {
  await db.$executeRaw`
    UPDATE connector_delivery SET status = 'PENDING', next_attempt_at = now(), claim_token = NULL
    WHERE id = ${claim.id}::uuid AND claim_token = ${claim.claimToken}::uuid`;
}

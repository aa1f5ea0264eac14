import { randomUUID } from "node:crypto";
import type { AuditEvent, Prisma } from "../generated/prisma/client.ts";
import { sameJson } from "../json.ts";
import type { ServiceContext } from "../service-context.ts";

export type Tx = Prisma.TransactionClient;

export interface AuditInput {
  /** Dotted event type, e.g. `customer.updated`. */
  type: string;
  customerId?: string | null;
  data?: Record<string, unknown>;
}

/**
 * Records an audit event of the transaction. The event is written just before commit, when it gets
 * its sequence number: until `transact` returns, the `seq` of the event handed back is 0.
 */
export type AuditWriter = (input: AuditInput) => Promise<AuditEvent>;

/** A customer key made while sealing, stored by the audit statement itself (src/pii/audit-seal.ts). */
export interface NewCustomerKey {
  id: string;
  customerId: string;
  dataKeyId: string;
  wrapped: string;
}

/**
 * Seals the PII inside events' `data` before they are written (src/pii/audit-seal.ts registers one
 * per database client when a MASTER_KEY is set). The keys it made go into the audit statement (only
 * those of customers that exist); `afterCommit` learns which customers' keys were stored.
 */
export type AuditSealer = (
  tx: Tx,
  ctx: ServiceContext,
  events: AuditEvent[],
) => Promise<{ newKeys: NewCustomerKey[]; afterCommit: (stored: ReadonlySet<string>) => void } | void>;
const sealers = new WeakMap<object, AuditSealer>();

export function sealAuditEventsWith(db: object, sealer: AuditSealer): void {
  sealers.set(db, sealer);
}

// PGlite has one connection: transactions queue behind each other, so allow a generous wait.
const TX_OPTIONS = { maxWait: 10_000, timeout: 20_000 } as const;

/**
 * Runs `work` in one database transaction together with the audit events it records, then
 * publishes those events once the transaction has committed. If `work` throws, nothing is
 * written and nothing is published.
 *
 * Inside `work`, use only `tx`: on PGlite a query on the outer client would wait for this very
 * transaction to finish and never return.
 *
 * The same statement is the connectors' outbox: it queues one `connector_delivery` per active outflow
 * connector of the tenant listening to each event, so a committed change always has its deliveries
 * and a rolled-back one never does (src/connectors/). A connector's own write-backs do not trigger
 * it again.
 *
 * Cost: one statement for all of the transaction's audit events, sent after `work` returns, right
 * before COMMIT. It bumps the tenant's sequence by the number of events (taking the tenant row lock
 * until commit) and inserts the events with the numbers it handed out. The lock serializes audited
 * commits per tenant; that is what makes sequence numbers dense and visible strictly in order, so a
 * subscriber resuming after sequence N can never miss N+1 (src/audit/stream.ts). Taking it in the
 * last statement keeps it for one round trip plus the commit, whatever `work` does before. The
 * same lock orders the hash chain: the audit_event_chain trigger links each event, in seq order, to
 * the one before it (src/audit/chain.ts).
 *
 * `timeoutMs` lifts the 20 s limit for the rare transaction whose work grows with the tenant (a
 * custom-field definition checking every value held under its key).
 */
export async function transact<T>(
  ctx: ServiceContext,
  work: (tx: Tx, audit: AuditWriter) => Promise<T>,
  options: { timeoutMs?: number } = {},
): Promise<T> {
  let recorded: AuditEvent[] = [];
  let afterCommit = () => {};
  const result = await ctx.db.$transaction(
    async (tx) => {
      const pending: AuditEvent[] = [];
      const value = await work(tx, async (input) => {
        const event = newEvent(ctx, input);
        pending.push(event);
        return event;
      });
      const sealed = pending.length > 0 ? await sealers.get(ctx.db)?.(tx, ctx, pending) : undefined;
      const storedKeys = await writeAuditEvents(tx, ctx, pending, sealed?.newKeys ?? []);
      if (sealed) afterCommit = () => sealed.afterCommit(storedKeys);
      recorded = pending;
      return value;
    },
    { ...TX_OPTIONS, ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}) },
  );
  afterCommit();
  for (const event of recorded) ctx.events.publish(event);
  return result;
}

function newEvent(ctx: ServiceContext, input: AuditInput): AuditEvent {
  return {
    id: randomUUID(),
    tenantId: ctx.tenantId,
    seq: 0n,
    type: input.type,
    actorKind: ctx.actor.kind,
    actorId: ctx.actor.id,
    customerId: input.customerId ?? null,
    ip: ctx.request.ip,
    userAgent: ctx.request.userAgent,
    requestId: ctx.request.requestId,
    // Through JSON, as the jsonb column gives it back: subscribers get what a replay would read.
    data: JSON.parse(JSON.stringify(input.data ?? {})) as Prisma.JsonValue,
    occurredAt: new Date(),
    impersonatorId: ctx.actor.impersonatorId ?? null,
    teamMemberId: ctx.actor.teamMemberId ?? null,
  };
}

/**
 * Inserts `events` as the tenant's next sequence numbers, in order, and sets their `seq`, and stores
 * the sealer's new customer keys (of customers that still exist: a key for an erased one is dropped,
 * so what it sealed stays unreadable); one statement. Answers the customers whose keys were stored.
 */
async function writeAuditEvents(tx: Tx, ctx: ServiceContext, events: AuditEvent[], newKeys: NewCustomerKey[]): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const [actor, request] = [ctx.actor, ctx.request];
  const rows = JSON.stringify(
    events.map((e) => ({ id: e.id, type: e.type, customerId: e.customerId, data: e.data, occurredAt: e.occurredAt })),
  );
  const [bumped] = await tx.$queryRaw<{ last: string; storedKeys: string[] }[]>`
    WITH bumped AS (
      UPDATE tenant SET audit_seq = audit_seq + ${events.length} WHERE id = ${ctx.tenantId}::uuid RETURNING audit_seq
    ), inserted AS (
      INSERT INTO audit_event (id, tenant_id, seq, type, actor_kind, actor_id, customer_id, ip, user_agent, request_id, data, occurred_at,
                               impersonator_id, team_member_id)
      SELECT (e.value->>'id')::uuid, ${ctx.tenantId}::uuid, bumped.audit_seq - ${events.length} + e.ordinality, e.value->>'type',
             ${actor.kind}::"ActorKind", ${actor.id}, (e.value->>'customerId')::uuid, ${request.ip}, ${request.userAgent},
             ${request.requestId}, e.value->'data', (e.value->>'occurredAt')::timestamptz, ${actor.impersonatorId ?? null},
             ${actor.teamMemberId ?? null}::uuid
      FROM bumped, jsonb_array_elements(${rows}::jsonb) WITH ORDINALITY AS e
      ORDER BY e.ordinality
      RETURNING id, seq, type, customer_id
    ), queued AS (
      INSERT INTO connector_delivery (id, tenant_id, connector_id, event_id, event_seq, event_type, customer_id)
      SELECT gen_random_uuid(), ${ctx.tenantId}::uuid, c.id, i.id, i.seq, i.type, i.customer_id
      FROM inserted i JOIN connector c
        ON c.tenant_id = ${ctx.tenantId}::uuid AND c.direction = 'OUTFLOW' AND c.active AND i.type LIKE ANY (c.event_like)
       AND NOT (${actor.kind} = 'CONNECTOR' AND c.id::text IS NOT DISTINCT FROM ${actor.id})
    ), keys AS (
      INSERT INTO customer_key (id, tenant_id, customer_id, data_key_id, wrapped)
      SELECT k.id, ${ctx.tenantId}::uuid, k."customerId", k."dataKeyId", k.wrapped
      FROM jsonb_to_recordset(${JSON.stringify(newKeys)}::jsonb) AS k(id uuid, "customerId" uuid, "dataKeyId" uuid, wrapped text)
      JOIN customer c ON c.id = k."customerId" AND c.tenant_id = ${ctx.tenantId}::uuid
      RETURNING customer_id
    )
    SELECT audit_seq::text AS last, ARRAY(SELECT customer_id::text FROM keys) AS "storedKeys"
    FROM bumped WHERE (SELECT count(*) FROM inserted) = ${events.length}`;
  if (!bumped) throw new Error(`tenant ${ctx.tenantId} does not exist`);
  const first = BigInt(bumped.last) - BigInt(events.length) + 1n;
  events.forEach((e, i) => (e.seq = first + BigInt(i)));
  return new Set(bumped.storedKeys);
}

/**
 * The fields of `after` whose values differ from `before`, as `{ field: { from, to } }`.
 * Dates and JSON compare by value (object key order does not matter).
 */
export function diff<T extends Record<string, unknown>>(before: T, after: Partial<T>): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of Object.keys(after)) {
    const from = before[key] ?? null;
    const to = after[key] ?? null;
    if (!sameJson(from, to)) changes[key] = { from, to };
  }
  return changes;
}

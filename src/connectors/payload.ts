import type { Db } from "../db/database.ts";
import { ALL_FIELDS, customerFromSql, iso, jsonRecordColumns } from "../exports/fields.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { unsealAuditData } from "../pii/audit-seal.ts";
import { openRecordTokens } from "../pii/tokens.ts";
import { evaluateExpression, ExpressionError } from "./expressions.ts";

// What a delivery sends. Its input is one normalized document — the audit event, the customer it
// concerns (the export's customer record: the format imports read back and inflow mappings
// produce, with no secret in it) and the tenant — run through the connector's logic:
// preEvent (input → input), rule (falsy: nothing is sent), mapping (input → body; default: the
// input itself). The body is built once, at the first attempt, and stored on the delivery: retries
// and replays re-send the same bytes under the same webhook-id.

export interface DeliveryInput {
  event: {
    id: string;
    type: string;
    /** The tenant's audit sequence number, as a string (it is a 64-bit integer). */
    seq: string;
    occurredAt: string;
    actor: { kind: string; id: string | null };
    customerId: string | null;
    data: unknown;
  };
  /** The customer when the input was built; null for events about no customer (or one deleted since). */
  customer: Record<string, unknown> | null;
  tenant: { id: string };
}

/** The audit event behind a delivery is gone (a failed attempt, not a crash). */
export class MissingEventError extends Error {}

/** The connector logic a body is built with (JSONata sources; null = absent). */
export interface DeliveryLogic {
  preEvent: string | null;
  rule: string | null;
  mapping: string | null;
}

/** The delivery fields an input is read for. */
export interface DeliverySource {
  id: string;
  tenantId: string;
  eventId: string | null;
  customerId: string | null;
  test: boolean;
}

/**
 * The CTEs `events`, `snapshots` and `inputs` (event_id, tenant_id, input jsonb): the normalized
 * input of every audit event `source` names (SQL text after FROM with columns event_id and
 * tenant_id) — the event and its customer as they are now (the export record with every field);
 * an event several connectors deliver is read once, and so is a customer several events concern.
 * The claim statement reads its first attempts' inputs with it (claims.ts); no row for an event
 * that is gone.
 */
export function deliveryInputsSql(source: string): Prisma.Sql {
  const { lateral } = jsonRecordColumns(ALL_FIELDS);
  return Prisma.sql`events AS (
      SELECT e.* FROM audit_event e WHERE (e.id, e.tenant_id) IN (SELECT DISTINCT event_id, tenant_id FROM ${Prisma.raw(source)})
    ), snapshots AS (
      SELECT c.id, c.tenant_id, jsonb_build_object('id', c.id) || to_jsonb(r) AS record FROM ${Prisma.raw(customerFromSql(ALL_FIELDS))}${lateral}
      WHERE (c.id, c.tenant_id) IN (SELECT DISTINCT customer_id, tenant_id FROM events)
    ), inputs AS (
      SELECT e.id AS event_id, e.tenant_id, jsonb_build_object(
        'event', jsonb_build_object('id', e.id, 'type', e.type, 'seq', e.seq::text, 'occurredAt', ${Prisma.raw(iso("e.occurred_at"))},
                                   'actor', jsonb_build_object('kind', e.actor_kind, 'id', e.actor_id), 'customerId', e.customer_id, 'data', e.data),
        'customer', s.record,
        'tenant', jsonb_build_object('id', e.tenant_id)) AS input,
        strpos(e.data::text, '"$sealed"') > 0 OR coalesce(strpos(s.record::text, '~pii~') > 0, false) AS sealed
      FROM events e LEFT JOIN snapshots s ON s.id = e.customer_id AND s.tenant_id = e.tenant_id
    )`;
}

/** A delivery's input read now (the post-event write-back's); throws MissingEventError when its event is gone. Cost: one statement. */
export async function loadDeliveryInput(db: Db, delivery: DeliverySource): Promise<DeliveryInput> {
  if (delivery.test) return sampleInput(delivery);
  const [row] = delivery.eventId
    ? await db.$queryRaw<{ input: string }[]>`
        WITH source AS (SELECT ${delivery.eventId}::uuid AS event_id, ${delivery.tenantId}::uuid AS tenant_id), ${deliveryInputsSql("source")}
        SELECT input::text AS input FROM inputs`
    : [];
  return unsealInput(db, inputOfClaim({ ...delivery, inputText: row?.input ?? null }));
}

/** The input with its event's sealed PII and its customer's PII at rest opened ("[erased]" once the customer is erased); unchanged when nothing is sealed. */
export async function unsealInput(db: Db, input: DeliveryInput): Promise<DeliveryInput> {
  const [event] = await unsealAuditData(db, [{ id: input.event.id, tenantId: input.tenant.id, data: input.event.data }]);
  // The customer's PII sealed at rest arrives as tokens (src/pii/tokens.ts): opened here too.
  const customer = input.customer && (await openRecordTokens(db, input.tenant.id, input.customer));
  return event!.data === input.event.data && customer === input.customer
    ? input
    : { ...input, customer, event: { ...input.event, data: event!.data } };
}

/**
 * The input a first attempt's body is built from: what its claim read (JSON text), or the sample
 * for a test delivery. Throws MissingEventError when the claim found no event behind it.
 */
export function inputOfClaim(delivery: DeliverySource & { inputText: string | null }): DeliveryInput {
  if (delivery.test) return sampleInput(delivery);
  if (delivery.inputText === null) throw new MissingEventError(`audit event ${delivery.eventId ?? "(none)"} not found`);
  return JSON.parse(delivery.inputText) as DeliveryInput;
}

/**
 * Runs the connector's logic on `input`: `{ skip: true }` when the rule does not hold, else the
 * body. Throws ExpressionError (naming the failing step) when an expression fails or the mapping
 * answers nothing.
 */
export async function buildBody(logic: DeliveryLogic, input: DeliveryInput): Promise<{ skip: true } | { skip: false; body: unknown }> {
  const shaped = logic.preEvent ? await step("preEvent", logic.preEvent, input) : input;
  if (logic.rule && !(await step("rule", logic.rule, shaped))) return { skip: true };
  const body = logic.mapping ? await step("mapping", logic.mapping, shaped) : shaped;
  if (body === undefined) throw new ExpressionError("mapping: answered nothing (no body to send)");
  return { skip: false, body };
}

async function step(name: string, source: string, input: unknown): Promise<unknown> {
  try {
    return await evaluateExpression(source, input);
  } catch (error) {
    throw new ExpressionError(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** testConnector's input: a `customer.updated` event about a made-up customer (the shape real ones have). */
function sampleInput(delivery: DeliverySource): DeliveryInput {
  const now = new Date().toISOString();
  const customerId = "00000000-0000-4000-8000-000000000000";
  return {
    event: {
      id: delivery.id,
      type: "customer.updated",
      seq: "0",
      occurredAt: now,
      actor: { kind: "SYSTEM", id: "connector-test" },
      customerId,
      data: { changes: { firstName: { from: "Ada", to: "Grace" } } },
    },
    customer: {
      id: customerId,
      ...Object.fromEntries(ALL_FIELDS.map((field) => [field, null])),
      ...SAMPLE_CUSTOMER,
      createdAt: now,
      updatedAt: now,
    },
    tenant: { id: delivery.tenantId },
  };
}

const SAMPLE_CUSTOMER = {
  uid: "sample-customer",
  email: "grace@example.com",
  emailVerified: true,
  firstName: "Grace",
  lastName: "Hopper",
  locale: "en-US",
  status: "ACTIVE",
  customFields: { plan: "gold" },
  addresses: [],
  emails: [{ value: "grace@example.com", primary: true, verified: true }],
  phones: [],
  identities: [],
  consents: [],
  customObjects: [],
};

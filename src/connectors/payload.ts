import type { Db } from "../db/database.ts";
import { ALL_FIELDS, customerFromSql, jsonRecordColumns } from "../exports/fields.ts";
import { Prisma } from "../generated/prisma/client.ts";
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

/** An audit event as a delivery input has it, with the customer's export record (JSON text) when there is one. */
interface EventRow {
  id: string;
  tenantId: string;
  type: string;
  seq: string;
  occurredAt: Date;
  actorKind: string;
  actorId: string | null;
  customerId: string | null;
  data: unknown;
  customer: string | null;
}

/**
 * The inputs of `deliveries`, by delivery id: the audit event and the customer as they are now
 * (the export record with every field), or the sample input for a test delivery; a
 * MissingEventError where the event is gone. Cost: one statement for all of them, however many
 * (none when all are tests); an event several connectors deliver is read once, and so is a
 * customer several events concern.
 */
export async function loadDeliveryInputs(db: Db, deliveries: DeliverySource[]): Promise<Map<string, DeliveryInput | MissingEventError>> {
  const wanted = deliveries.filter((d) => !d.test && d.eventId);
  const rows = wanted.length === 0 ? [] : await readEvents(db, wanted);
  const events = new Map(rows.map((row) => [`${row.id}/${row.tenantId}`, row]));
  return new Map(
    deliveries.map((delivery) => {
      if (delivery.test) return [delivery.id, sampleInput(delivery)];
      const row = events.get(`${delivery.eventId}/${delivery.tenantId}`);
      return [
        delivery.id,
        row ? inputOf(row, delivery.tenantId) : new MissingEventError(`audit event ${delivery.eventId ?? "(none)"} not found`),
      ];
    }),
  );
}

/** One delivery's input (see loadDeliveryInputs); throws MissingEventError when its event is gone. */
export async function loadDeliveryInput(db: Db, delivery: DeliverySource): Promise<DeliveryInput> {
  const input = (await loadDeliveryInputs(db, [delivery])).get(delivery.id)!;
  if (input instanceof MissingEventError) throw input;
  return input;
}

/** The events behind `deliveries` and their customers' export records, each read once: one statement. */
function readEvents(db: Db, deliveries: DeliverySource[]): Promise<EventRow[]> {
  const { lateral } = jsonRecordColumns(ALL_FIELDS);
  const keys = JSON.stringify(deliveries.map((d) => ({ id: d.eventId, tenantId: d.tenantId })));
  return db.$queryRaw<EventRow[]>`
    WITH events AS (
      SELECT e.* FROM audit_event e
      WHERE (e.id, e.tenant_id) IN (SELECT DISTINCT k.id, k."tenantId" FROM jsonb_to_recordset(${keys}::jsonb) AS k(id uuid, "tenantId" uuid))
    ), snapshots AS (
      SELECT c.id, c.tenant_id, row_to_json(r)::text AS record FROM ${Prisma.raw(customerFromSql(ALL_FIELDS))}${lateral}
      WHERE (c.id, c.tenant_id) IN (SELECT DISTINCT customer_id, tenant_id FROM events)
    )
    SELECT e.id, e.tenant_id AS "tenantId", e.type, e.seq::text AS seq, e.occurred_at AS "occurredAt", e.actor_kind::text AS "actorKind",
           e.actor_id AS "actorId", e.customer_id AS "customerId", e.data, s.record AS customer
    FROM events e LEFT JOIN snapshots s ON s.id = e.customer_id AND s.tenant_id = e.tenant_id`;
}

function inputOf(row: EventRow, tenantId: string): DeliveryInput {
  return {
    event: {
      id: row.id,
      type: row.type,
      seq: row.seq,
      occurredAt: row.occurredAt.toISOString(),
      actor: { kind: row.actorKind, id: row.actorId },
      customerId: row.customerId,
      data: row.data,
    },
    customer: row.customer ? { id: row.customerId, ...(JSON.parse(row.customer) as Record<string, unknown>) } : null,
    tenant: { id: tenantId },
  };
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

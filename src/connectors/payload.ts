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

/**
 * The customer's export record (every export field) plus its id, read in one statement, or null
 * when the tenant has no such customer.
 */
export async function customerSnapshot(db: Db, tenantId: string, customerId: string): Promise<Record<string, unknown> | null> {
  const { lateral } = jsonRecordColumns(ALL_FIELDS);
  const [row] = await db.$queryRaw<{ record: string }[]>`
    SELECT row_to_json(r)::text AS record FROM ${Prisma.raw(customerFromSql(ALL_FIELDS))}${lateral}
    WHERE c.id = ${customerId}::uuid AND c.tenant_id = ${tenantId}::uuid`;
  return row ? { id: customerId, ...(JSON.parse(row.record) as Record<string, unknown>) } : null;
}

/**
 * The input of a delivery: its audit event and the customer as they are now (two primary-key
 * reads), or the sample input for a test delivery. Throws when the event is gone.
 */
export async function loadDeliveryInput(db: Db, delivery: DeliverySource): Promise<DeliveryInput> {
  if (delivery.test) return sampleInput(delivery);
  const event = delivery.eventId
    ? await db.auditEvent.findUnique({ where: { id_tenantId: { id: delivery.eventId, tenantId: delivery.tenantId } } })
    : null;
  if (!event) throw new MissingEventError(`audit event ${delivery.eventId ?? "(none)"} not found`);
  const customer = event.customerId ? await customerSnapshot(db, delivery.tenantId, event.customerId) : null;
  return {
    event: {
      id: event.id,
      type: event.type,
      seq: event.seq.toString(),
      occurredAt: event.occurredAt.toISOString(),
      actor: { kind: event.actorKind, id: event.actorId },
      customerId: event.customerId,
      data: event.data,
    },
    customer,
    tenant: { id: delivery.tenantId },
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

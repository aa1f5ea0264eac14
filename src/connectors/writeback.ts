import type { IncomingHttpHeaders } from "node:http";
import type { Db } from "../db/database.ts";
import { AppError } from "../errors.ts";
import type { EventBus } from "../events/bus.ts";
import { profileFields } from "../customers/input.ts";
import { updateCustomer, type UpdateCustomerInput } from "../customers/service.ts";
import { serviceContext } from "../service-context.ts";
import { evaluateExpression } from "./expressions.ts";
import { loadDeliveryInput, type DeliverySource } from "./payload.ts";

// Post-event logic, the "two-way sync": after a delivery succeeds, the connector's postEvent
// expression reads the third party's response and may answer changes for the customer the event
// concerns — profile fields and customFields, as updateCustomer takes them (e.g.
// `{ "customFields": { "crmId": response.body.id } }`). They are applied through updateCustomer
// (same validation, a `customer.updated` audit event with its diff) with the connector as actor,
// so the outbox does not send that change back to the same connector (other connectors see it).
//
// A write-back never fails a delivery: the receiver has the event. A bad result (not an object,
// an unknown field, a value the validation refuses, an expression error) is recorded as the
// attempt's error, prefixed "post-event:". It runs before the delivery is recorded DELIVERED, so
// a node dying in between re-sends the event (same webhook-id) and applies the same changes again,
// which change nothing the second time.

const WRITABLE = new Set<string>([...Object.keys(profileFields), "customFields"]);

export interface WritebackResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * Evaluates `postEvent` on `{ response: { status, headers, body }, event, customer }` (body parsed
 * when the response is JSON, else its text; event and customer as delivery inputs have them, read
 * now) and applies a non-empty object result to the customer. Answers why it could not, or null.
 * Cost: the event and customer reads, the expression, and updateCustomer's transaction when the
 * result changes something.
 */
export async function applyPostEvent(
  deps: { db: Db; events: EventBus },
  connector: { id: string; postEvent: string },
  delivery: DeliverySource,
  response: WritebackResponse,
): Promise<string | null> {
  try {
    const { event, customer } = await loadDeliveryInput(deps.db, delivery);
    const changes = await evaluateExpression(connector.postEvent, {
      response: { ...response, body: parseBody(response) },
      event,
      customer,
    });
    if (changes === undefined || changes === null) return null;
    if (typeof changes !== "object" || Array.isArray(changes)) return "post-event: the result is not an object of customer fields";
    if (Object.keys(changes).length === 0) return null;
    const unknown = Object.keys(changes).filter((key) => !WRITABLE.has(key));
    if (unknown.length > 0) return `post-event: not customer fields it may change: ${unknown.join(", ")}`;
    if (!customer) return "post-event: the event concerns no (existing) customer";
    const ctx = serviceContext(deps, delivery.tenantId, { kind: "CONNECTOR", id: connector.id });
    await updateCustomer(ctx, String(customer.id), changes as UpdateCustomerInput);
    return null;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    return `post-event: ${error instanceof AppError ? `${error.code}: ` : ""}${error.message}`;
  }
}

function parseBody(response: WritebackResponse): unknown {
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(response.headers["content-type"] ?? "")) return response.text;
  try {
    return JSON.parse(response.text) as unknown;
  } catch {
    return response.text;
  }
}

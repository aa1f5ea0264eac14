import { requireCustomer } from "../db/customer-lock.ts";
import { transact, type AuditWriter, type Tx } from "../db/transact.ts";
import { violatesUniqueIndex } from "../db/unique.ts";
import { loadFieldSchema } from "../custom-fields/access.ts";
import type { FieldSchema } from "../custom-fields/validator.ts";
import { insertContact, type NewContact } from "../customers/contacts.ts";
import { createdEventData } from "../customers/service.ts";
import { AppError, ConflictError, ValidationError } from "../errors.ts";
import type { InflowRequest } from "../generated/prisma/client.ts";
import { KeySet } from "../imports/key-set.ts";
import { matchCustomer, planBatch, updatedEventData, type PlanOptions } from "../imports/plan.ts";
import { prepareRow, type ImportRow } from "../imports/rows.ts";
import { insertCustomers, updateCustomers } from "../imports/write.ts";
import { phonePii, storedKeys } from "../customers/phones-at-rest.ts";
import type { TenantPii } from "../pii/at-rest.ts";
import type { ServiceContext } from "../service-context.ts";
import { evaluateExpression, ExpressionError } from "./expressions.ts";
import { completeClaim, findAppliedRequest, logInflowRequest, type FieldError, type InflowLogEntry } from "./inflow-log.ts";

// One inflow post → one customer: the connector's JSONata mapping turns the body into a record of
// the import's format (README "Importing customers"), validated by the import's row validation
// and planned by the import's upsert (same matching, same conflict checks, same custom-field
// validation), then written in one transaction with its audit events, actor CONNECTOR.
// On top of the import's upsert, a matched customer gets the record's emails and phones it does not
// hold yet (customer.email_added / phone_added, never demoting its primary); identities, consents
// and custom objects are written only with a new customer (as the import does) and reported as
// `ignored` otherwise.

/** A record the gateway refuses: answered 422 with `code` and the field errors, nothing written. */
export class InflowRejection extends Error {
  constructor(
    readonly code: string,
    readonly fields: FieldError[],
  ) {
    super(fields.map((f) => `${f.path}: ${f.message}`).join("; "));
  }
}

export interface InflowConnector {
  id: string;
  mapping: string | null;
  matchBy: string | null;
}

export interface Applied {
  customerId: string;
  created: boolean;
  /** False when the record matched a customer and changed nothing (no customer event written). */
  changed: boolean;
  /** Parts of the record not applied to an existing customer. */
  ignored: string[];
}

/** The customer record the connector's mapping makes of `body` (the body itself without a mapping). */
export async function mapRecord(connector: InflowConnector, body: unknown): Promise<unknown> {
  if (!connector.mapping) return body;
  try {
    return await evaluateExpression(connector.mapping, body);
  } catch (error) {
    if (error instanceof ExpressionError) throw new InflowRejection("VALIDATION_FAILED", [{ path: "mapping", message: error.message }]);
    throw error;
  }
}

/** matchBy as the import's --match: uid, email, or the key of a custom field holding an external id. */
function planOptions(matchBy: string | null, schema: FieldSchema, pii: TenantPii | null): PlanOptions {
  const by = matchBy ?? "email";
  if (by === "uid" || by === "email") return { mode: "UPSERT", matchBy: by === "uid" ? "UID" : "EMAIL", matchField: null, schema, pii };
  return { mode: "UPSERT", matchBy: "FIELD", matchField: by, schema, pii };
}

const ATTEMPTS = 3;

/**
 * Applies a mapped record. `claim` is the request's APPLIED log row, written first in the
 * transaction: with a webhook-id, a concurrent post of the same id waits on the unique index
 * (inflow_request_applied_webhook_idx) and fails once this one commits, before either touched a
 * customer, and is answered `duplicateOf` the winner. The row is completed with the result (and
 * the time since `started`) before commit. A unique violation on a customer key (a concurrent writer took an email after the
 * plan looked) plans again, up to 3 times, like an import batch. Throws InflowRejection for a
 * refused record (nothing written). Cost: the definitions (two statements), the match (one), the
 * customer lock, the plan (one per kind of key), the writes (one per table), the audit statement,
 * the claim (two).
 */
export async function applyRecord(
  ctx: ServiceContext,
  connector: InflowConnector,
  record: unknown,
  claim: InflowLogEntry,
  started: number,
): Promise<Applied | { duplicateOf: InflowRequest }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transact(ctx, async (tx, audit) => {
        const claimed = await logInflowRequest(tx, claim);
        const applied = await upsert(tx, ctx, connector, record, audit);
        const result = { customerId: applied.customerId, created: applied.created, durationMs: Date.now() - started };
        await completeClaim(tx, claimed.id, result);
        return applied;
      });
    } catch (error) {
      if (error instanceof AppError) throw rejectionOf(error);
      if (!violatesUniqueIndex(error)) throw error;
      const previous = claim.webhookId ? await findAppliedRequest(ctx.db, connector.id, claim.webhookId) : null;
      if (previous) return { duplicateOf: previous };
      if (attempt >= ATTEMPTS) throw error;
    }
  }
}

async function upsert(tx: Tx, ctx: ServiceContext, connector: InflowConnector, record: unknown, audit: AuditWriter): Promise<Applied> {
  const schema = await loadFieldSchema(tx, ctx.tenantId);
  const unknown = new Set<string>();
  const prepared = prepareRow({ row: 1, record: record as Record<string, unknown> }, { format: "JSON", mapping: null, schema, unknown });
  if (Array.isArray(prepared))
    throw new InflowRejection(
      "VALIDATION_FAILED",
      prepared.map((e) => fieldError(e.field, e.message)),
    );
  if (unknown.size > 0) {
    throw new InflowRejection(
      "VALIDATION_FAILED",
      [...unknown].map((name) => fieldError(name, "not a field of the customer record")),
    );
  }
  const options = planOptions(connector.matchBy, schema, await phonePii(ctx, tx));
  const matchedId = await matchCustomer(tx, ctx.tenantId, prepared, options);
  // Locked before the plan reads it: the plan's update writes whole profiles, so nobody may change it in between.
  const matched = matchedId ? await requireCustomer(tx, ctx, matchedId) : null;
  const plan = await planBatch(tx, ctx.tenantId, [prepared], options, new KeySet());
  if (plan.errors.length > 0)
    throw new InflowRejection(
      "VALIDATION_FAILED",
      plan.errors.map((e) => fieldError(e.field, e.message)),
    );
  const [inserted] = await insertCustomers(tx, ctx.tenantId, plan.inserts, options);
  if (inserted) {
    const { id, row } = inserted;
    await audit({ type: "customer.created", customerId: id, data: createdEventData(row.uid!, row.contacts, row.identities) });
    return { customerId: id, created: true, changed: true, ignored: [] };
  }
  const update = plan.updates[0];
  if (update) {
    await updateCustomers(tx, ctx.tenantId, plan.updates, options);
    await audit({ type: "customer.updated", customerId: update.before.id, data: updatedEventData(update) });
  }
  const customerId = update?.before.id ?? matched!.id;
  const added = await addMissingContacts(tx, ctx, customerId, prepared.contacts, audit);
  if (added && !update) await tx.customer.update({ where: { id: customerId }, data: { updatedAt: new Date() } });
  return { customerId, created: false, changed: Boolean(update) || added, ignored: notApplied(prepared) };
}

/**
 * Adds the record's emails and phones the customer does not hold, as addEmail/addPhone would
 * (EMAIL_TAKEN when another customer holds one; at most 10 of a kind), but never as a new primary
 * unless the customer has none of that kind: the primary address is what sign-in and mail use,
 * and a third party's notion of "primary" should not move it. Nothing is removed. Returns whether
 * any was added. Cost: one read, then per added contact one read and one insert.
 */
async function addMissingContacts(tx: Tx, ctx: ServiceContext, customerId: string, contacts: NewContact[], audit: AuditWriter) {
  if (contacts.length === 0) return false;
  const held = await tx.contact.findMany({ where: { customerId }, select: { kind: true, normalized: true } });
  const heldKeys = new Set(held.map((c) => `${c.kind}:${c.normalized}`));
  // A held phone is stored under its blind index or (not sealed yet) its E.164: customers/phones-at-rest.ts.
  const pii = contacts.some((c) => c.kind === "PHONE") ? await phonePii(ctx, tx) : null;
  const isHeld = (c: NewContact) => storedKeys(pii, c.kind, c.normalized).some((stored) => heldKeys.has(`${c.kind}:${stored}`));
  const missing = contacts.filter((c) => !isHeld(c));
  for (const contact of missing) await insertContact(tx, ctx, customerId, { ...contact, primary: false }, audit);
  return missing.length > 0;
}

const notApplied = (row: ImportRow) => (["identities", "consents", "customObjects"] as const).filter((part) => row[part].length > 0);

const fieldError = (field: string | null, message: string): FieldError => ({ path: !field || field === "row" ? "record" : field, message });

/** A typed error of the customer services as the answer's code and field errors. */
function rejectionOf(error: AppError): InflowRejection {
  if (error instanceof ValidationError)
    return new InflowRejection(
      error.code,
      error.issues.map((i) => fieldError(i.field, i.message)),
    );
  if (error instanceof ConflictError) return new InflowRejection(error.code, [fieldError(error.field, error.message)]);
  return new InflowRejection(error.code, [fieldError(null, error.message)]);
}

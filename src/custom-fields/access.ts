import type { Tx } from "../db/transact.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { ValidationError } from "../errors.ts";
import type { FieldSchema } from "./validator.ts";

// What customer writes and the customer audience need of the definitions.

/**
 * A transaction-scoped advisory lock on the tenant's definitions. Writes validating customFields
 * hold it shared (they never wait for each other); a definition change holds it exclusive while
 * it checks the values customers hold and until it commits. So no write can validate against the
 * old definitions and commit a value the new ones refuse while the check runs. The price: on a
 * tenant of a million customers, customFields writes wait the seconds a type or rule change takes.
 * The read of the definitions must be a later statement than the lock: under READ COMMITTED each
 * statement sees what had committed when it began.
 */
export async function lockDefinitions(tx: Tx, tenantId: string, mode: "shared" | "exclusive"): Promise<void> {
  const lock = mode === "shared" ? Prisma.sql`pg_advisory_xact_lock_shared` : Prisma.sql`pg_advisory_xact_lock`;
  await tx.$queryRaw`SELECT ${lock}(${DEFINITIONS_LOCK_CLASS}::int, hashtext(${tenantId}))::text`;
}

/** The first key of the advisory lock above: what the lock is about (the second is the tenant). */
const DEFINITIONS_LOCK_CLASS = 1_146_308;

/**
 * The tenant's active definitions and its undefined-keys setting, for validating a write. Cost:
 * two statements (the lock below, then the tenant row joined with its definitions), run in the
 * write's transaction. Writes without customFields (updates that do not touch them) skip it.
 */
export async function loadFieldSchema(tx: Tx, tenantId: string): Promise<FieldSchema> {
  await lockDefinitions(tx, tenantId, "shared");
  const tenant = await tx.tenant.findUniqueOrThrow({
    where: { id: tenantId },
    relationLoadStrategy: "join",
    select: { allowUndefinedCustomFields: true, customFieldDefinitions: { where: { retiredAt: null }, orderBy: { key: "asc" } } },
  });
  const defs = tenant.customFieldDefinitions;
  return {
    definitions: new Map(defs.map((d) => [d.key, d])),
    allowUndefined: tenant.allowUndefinedCustomFields,
    // Everything the validator reads of the definitions: equal text, the same zod schema.
    version: JSON.stringify(defs.map((d) => [d.key, d.type, d.required, d.defaultValue, d.enumValues, d.rules, d.searchable, d.pii])),
  };
}

/**
 * A customer's own change of their custom fields may name only keys defined as CUSTOMER_EDIT;
 * any other key (read-only, admin-only, undefined) is a ValidationError naming it, all at once.
 */
export function assertCustomerEditable(schema: FieldSchema, patch: Record<string, unknown>, prefix = "customFields"): void {
  const refused = Object.keys(patch).filter((key) => schema.definitions.get(key)?.access !== "CUSTOMER_EDIT");
  if (refused.length > 0) {
    throw new ValidationError(refused.map((key) => ({ field: `${prefix}.${key}`, message: "not a field the customer may edit" })));
  }
}

/** The keys a customer may read: definitions with CUSTOMER_READ or CUSTOMER_EDIT (undefined keys stay admins'). */
export function customerReadable(definitions: Iterable<{ key: string; access: string }>): Set<string> {
  return new Set([...definitions].filter((d) => d.access !== "ADMIN_ONLY").map((d) => d.key));
}

/** customFields as a customer sees them: only the readable keys. */
export function visibleTo(readable: Set<string>, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => readable.has(key)));
}

import { z } from "zod";
import type { Tx } from "../db/transact.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import { isUuid } from "../ids.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";

// What groups, organizations and roles share: the list of customers a membership change names,
// their check against the tenant, and the page query of a tenant's definitions.

/** Customers one add/remove call may name; larger selections are bulk actions (jobs). */
export const MAX_MEMBERS_PER_CALL = 100;

const customerIds = z
  .array(z.string())
  .min(1, "give at least one customer")
  .max(MAX_MEMBERS_PER_CALL, `at most ${MAX_MEMBERS_PER_CALL} customers; use a bulk action for more`);

/** The distinct customer row ids of a membership change (malformed ids are CUSTOMER_NOT_FOUND, as everywhere). */
export function memberIds(ids: string[]): string[] {
  const list = parseInput(customerIds, ids, "customerIds");
  if (list.some((id) => !isUuid(id))) throw new NotFoundError("CUSTOMER_NOT_FOUND");
  return [...new Set(list)];
}

/**
 * Locks the customers of the caller's tenant in id order (the order every writer takes, so two
 * changes over overlapping lists cannot deadlock); CUSTOMER_NOT_FOUND when any is missing or
 * belongs to another tenant: all or nothing. Cost: one statement.
 */
export async function lockCustomers(tx: Tx, ctx: ServiceContext, ids: string[]): Promise<void> {
  const sorted = [...ids].sort();
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id::text FROM customer WHERE tenant_id = ${ctx.tenantId}::uuid AND id = ANY (${sorted}::uuid[]) ORDER BY id FOR UPDATE`;
  if (rows.length !== sorted.length) throw new NotFoundError("CUSTOMER_NOT_FOUND");
}

/** A Pothos page of one of the tenant's definition tables, checked cursor first. */
export function pageArgs(page: { cursor?: { id?: unknown }; take?: number; skip?: number }, tenantId: string) {
  const cursor = page.cursor?.id;
  if (cursor !== undefined && (typeof cursor !== "string" || !isUuid(cursor)))
    throw new ValidationError([{ field: "after", message: "not a cursor returned by this list" }]);
  return {
    ...(page as object),
    cursor: cursor ? { id_tenantId: { id: cursor, tenantId } } : undefined,
    where: { tenantId },
    orderBy: [{ name: "asc" as const }, { id: "asc" as const }],
  };
}

export const nameField = z.string().trim().min(1, "give a name").max(100, "at most 100 characters");
export const descriptionField = z.string().max(1_000, "at most 1000 characters").nullish();

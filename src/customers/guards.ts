import { isUniqueViolation } from "../db/unique.ts";
import type { Tx } from "../audit/transact.ts";
import { ConflictError, NotFoundError } from "../errors.ts";
import type { Customer } from "../generated/prisma/client.ts";
import type { ServiceContext } from "../service-context.ts";

// Checks shared by the customer services and the domains that hang off a customer.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid no row has: lookups that must find nothing use it instead of a malformed id. */
export const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/** Whether `id` can be a row id at all; anything else is simply "not found". */
export const isUuid = (id: string) => UUID.test(id);

/**
 * Loads a customer of the caller's tenant and locks its row until the transaction ends, so
 * concurrent changes to one customer apply one after the other. Throws CUSTOMER_NOT_FOUND.
 */
export async function requireCustomer(tx: Tx, ctx: ServiceContext, customerId: string): Promise<Customer> {
  if (!isUuid(customerId)) throw new NotFoundError("CUSTOMER_NOT_FOUND");
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM customer WHERE id = ${customerId}::uuid AND tenant_id = ${ctx.tenantId}::uuid FOR UPDATE`;
  if (locked.length === 0) throw new NotFoundError("CUSTOMER_NOT_FOUND");
  return tx.customer.findUniqueOrThrow({ where: { id: customerId } });
}

export async function assertUsernameFree(tx: Tx, ctx: ServiceContext, name: string) {
  const taken = await tx.customer.findUnique({ where: { tenantId_username: { tenantId: ctx.tenantId, username: name } } });
  if (taken) throw new ConflictError("USERNAME_TAKEN", "username", "another customer has this username");
}

export async function assertIdentityFree(tx: Tx, ctx: ServiceContext, provider: string, providerUserId: string) {
  const taken = await tx.identity.findUnique({
    where: { tenantId_provider_providerUserId: { tenantId: ctx.tenantId, provider, providerUserId } },
  });
  if (taken) throw new ConflictError("IDENTITY_TAKEN", "providerUserId", `this ${provider} account is linked to another customer`);
}

/** Turns a unique violation that slipped past the pre-checks (a concurrent write) into a typed conflict. */
export function translateConflict(error: unknown): unknown {
  if (isUniqueViolation(error, "normalized"))
    return new ConflictError("EMAIL_TAKEN", "emails", "an email or phone is taken by another customer");
  if (isUniqueViolation(error, "username")) return new ConflictError("USERNAME_TAKEN", "username", "another customer has this username");
  if (isUniqueViolation(error, "uid")) return new ConflictError("UID_TAKEN", "uid", "another customer has this uid");
  if (isUniqueViolation(error, "provider"))
    return new ConflictError("IDENTITY_TAKEN", "providerUserId", "this account is linked to another customer");
  return error;
}

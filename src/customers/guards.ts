import { isUniqueViolation } from "../db/unique.ts";
import type { Tx } from "../db/transact.ts";
import { ConflictError } from "../errors.ts";
import type { ServiceContext } from "../service-context.ts";

// Uniqueness checks of the customer services (username, identity) and the conflict translation.

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
export function translateConflict(error: unknown, contactKind?: "EMAIL" | "PHONE"): unknown {
  // A caller adding one contact knows its kind; a new customer's emails and phones are told apart by no one.
  if (isUniqueViolation(error, "normalized") && contactKind === "PHONE")
    return new ConflictError("PHONE_TAKEN", "phones", "this phone number belongs to another customer");
  if (isUniqueViolation(error, "normalized"))
    return new ConflictError("EMAIL_TAKEN", "emails", "an email or phone is taken by another customer");
  if (isUniqueViolation(error, "username")) return new ConflictError("USERNAME_TAKEN", "username", "another customer has this username");
  if (isUniqueViolation(error, "uid")) return new ConflictError("UID_TAKEN", "uid", "another customer has this uid");
  if (isUniqueViolation(error, "provider"))
    return new ConflictError("IDENTITY_TAKEN", "providerUserId", "this account is linked to another customer");
  return error;
}

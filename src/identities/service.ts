import { transact } from "../db/transact.ts";
import { NotFoundError, RuleViolationError } from "../errors.ts";
import type { Customer, Prisma } from "../generated/prisma/client.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";
import { assertIdentityFree, translateConflict } from "../customers/guards.ts";
import { isUuid } from "../ids.ts";
import { requireCustomer } from "../db/customer-lock.ts";
import { identityInput } from "../customers/input.ts";

// An identity is one way a customer signs in: a password, a passwordless email or phone, or an
// account at a social or enterprise provider. (provider, providerUserId) is unique per tenant.

/** Checked by the service (identityInput in customers/input.ts); profile defaults to {}. */
export interface LinkIdentityInput {
  provider: string;
  providerUserId: string;
  profile?: Record<string, unknown>;
}

/**
 * Links a sign-in identity to a customer. IDENTITY_TAKEN if the tenant already has it, on this
 * customer or another. Records `identity.linked`.
 * Cost: one transaction — customer lock, one unique lookup, one INSERT, the audit event.
 */
export async function linkIdentity(ctx: ServiceContext, customerId: string, input: LinkIdentityInput): Promise<Customer> {
  const { provider, providerUserId, profile } = parseInput(identityInput, input);
  try {
    return await transact(ctx, async (tx, audit) => {
      const customer = await requireCustomer(tx, ctx, customerId);
      await assertIdentityFree(tx, ctx, provider, providerUserId);
      const identity = await tx.identity.create({
        data: { tenantId: ctx.tenantId, customerId: customer.id, provider, providerUserId, profile: profile as Prisma.InputJsonValue },
      });
      await audit({ type: "identity.linked", customerId: customer.id, data: { provider, providerUserId, identityId: identity.id } });
      return customer;
    });
  } catch (error) {
    throw translateConflict(error);
  }
}

/**
 * Unlinks one of the customer's identities. IDENTITY_NOT_FOUND unless it belongs to this
 * customer; LAST_SIGN_IN_METHOD if it is the customer's only one (the customer could no longer
 * sign in). Records `identity.unlinked`.
 * Cost: one transaction — customer lock, one lookup, one count, one DELETE, the audit event.
 */
export async function unlinkIdentity(ctx: ServiceContext, customerId: string, identityId: string): Promise<Customer> {
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, customerId);
    const identity = isUuid(identityId)
      ? await tx.identity.findFirst({ where: { id: identityId, tenantId: ctx.tenantId, customerId: customer.id } })
      : null;
    if (!identity) throw new NotFoundError("IDENTITY_NOT_FOUND");
    // The customer row is locked, so no concurrent unlink can race this count.
    if ((await tx.identity.count({ where: { customerId: customer.id } })) <= 1) {
      throw new RuleViolationError("LAST_SIGN_IN_METHOD", "this is the customer's last identity: link another one first");
    }
    await tx.identity.delete({ where: { id: identity.id } });
    await audit({
      type: "identity.unlinked",
      customerId: customer.id,
      data: { provider: identity.provider, providerUserId: identity.providerUserId, identityId: identity.id },
    });
    return customer;
  });
}

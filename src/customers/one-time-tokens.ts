import { requireCustomer } from "../db/customer-lock.ts";
import { transact, type Tx } from "../db/transact.ts";
import { NotFoundError } from "../errors.ts";
import type { Customer } from "../generated/prisma/client.ts";
import type { OneTimeTokenPurpose } from "../generated/prisma/enums.ts";
import { newOpaqueToken } from "../security/tokens.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";
import { emailAddress } from "./input.ts";
import { queueNotification, type NotifyRequest } from "../notifications/queue.ts";

// Email-verification and password-reset tokens: 32 random bytes handed out once, stored only as
// SHA-256, single-use, expiring, and invalidated by any password change (passwords.ts).

export const LIFETIME_SECONDS: Record<OneTimeTokenPurpose, number> = {
  EMAIL_VERIFICATION: 24 * 3600,
  PASSWORD_RESET: 3600,
};

export interface IssuedToken {
  customer: Customer;
  /** The only time the token exists in clear text; null when it went to the customer in a notification instead. */
  token: string | null;
  tokenId: string;
  expiresAt: Date;
}

async function insertToken(tx: Tx, ctx: ServiceContext, customerId: string, purpose: OneTimeTokenPurpose, email: string | null) {
  const { token, hash } = newOpaqueToken();
  const expiresAt = new Date(Date.now() + LIFETIME_SECONDS[purpose] * 1000);
  const row = await tx.oneTimeToken.create({ data: { tenantId: ctx.tenantId, customerId, purpose, tokenHash: hash, email, expiresAt } });
  return { token, row };
}

/**
 * Admin: a token that verifies one of the customer's emails (the given one, or the primary), for
 * the tenant's own mailer to send. Throws CUSTOMER_NOT_FOUND, EMAIL_NOT_FOUND. Records
 * `token.issued` (id, purpose, expiry — never the token). Cost: one transaction, one INSERT.
 */
export async function issueEmailVerificationToken(ctx: ServiceContext, customerId: string, email?: string | null): Promise<IssuedToken> {
  const wanted = email == null ? null : parseInput(emailAddress, email, "email").toLowerCase();
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, customerId);
    const contact = await tx.contact.findFirst({
      where: { customerId: customer.id, kind: "EMAIL", ...(wanted ? { normalized: wanted } : { primary: true }) },
    });
    if (!contact) throw new NotFoundError("EMAIL_NOT_FOUND");
    const { token, row } = await insertToken(tx, ctx, customer.id, "EMAIL_VERIFICATION", contact.normalized);
    await audit({
      type: "token.issued",
      customerId: customer.id,
      data: { tokenId: row.id, purpose: row.purpose, email: contact.normalized, expiresAt: row.expiresAt },
    });
    return { customer, token, tokenId: row.id, expiresAt: row.expiresAt };
  });
}

/**
 * Admin: a password-reset token for the customer. Records `token.issued`. Throws CUSTOMER_NOT_FOUND.
 * With `notify`, the token goes into the notification's body only (the answer carries none).
 */
export async function issuePasswordResetToken(ctx: ServiceContext, customerId: string, notify?: NotifyRequest): Promise<IssuedToken> {
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, customerId);
    const { token, row } = await insertToken(tx, ctx, customer.id, "PASSWORD_RESET", null);
    await audit({
      type: "token.issued",
      customerId: customer.id,
      data: { tokenId: row.id, purpose: row.purpose, expiresAt: row.expiresAt },
    });
    if (!notify) return { customer, token, tokenId: row.id, expiresAt: row.expiresAt };
    const variables = { resetToken: { token, expiresAt: row.expiresAt } };
    await queueNotification(tx, ctx, audit, { ...notify, customerId: customer.id, kind: "PASSWORD_RESET", variables });
    return { customer, token: null, tokenId: row.id, expiresAt: row.expiresAt };
  });
}

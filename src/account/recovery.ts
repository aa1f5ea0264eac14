import { LIFETIME_SECONDS } from "../customers/one-time-tokens.ts";
import { findCustomer } from "../customers/lookup.ts";
import { applyNewPassword } from "../customers/passwords.ts";
import { requireCustomer } from "../db/customer-lock.ts";
import { transact, type Tx } from "../db/transact.ts";
import { AuthenticationError } from "../errors.ts";
import type { Customer, OneTimeToken } from "../generated/prisma/client.ts";
import type { OneTimeTokenPurpose } from "../generated/prisma/enums.ts";
import { NIL_UUID } from "../ids.ts";
import { hashPassword } from "../passwords/hashing.ts";
import { assertPasswordAllowed } from "../passwords/policy.ts";
import type { AuthRuntime } from "../security/auth-runtime.ts";
import { hashToken, looksLikeToken, newOpaqueToken } from "../security/tokens.ts";
import { actingAs, type ServiceContext } from "../service-context.ts";
import { identifierAccount, parseIdentifier } from "./identifier.ts";

// Customer-side recovery: forgot password, reset with a token, verify an email with a token.

/**
 * Customer ("forgot password"): creates a reset token for the customer the identifier names and
 * records `customer.password_reset_requested` with the token's id (never the token) for the
 * tenant's notifier. Limited per IP and per identifier (RATE_LIMITED), existing or not.
 *
 * Answers the same, after the same work, whether or not the identifier exists: the token is one
 * `INSERT … SELECT … FROM customer WHERE id = …`, run with the nil uuid for an unknown identifier
 * so that it inserts nothing; an unknown one is recorded too (customerId null), so probing shows
 * up in the audit trail. Cost: limiter round trips, one indexed lookup, one transaction (the
 * INSERT, the event).
 */
export async function forgotPassword(ctx: ServiceContext, auth: AuthRuntime, identifier: string): Promise<void> {
  const given = identifier.slice(0, 320);
  const { kind, key } = parseIdentifier(given);
  await auth.limits.take(ctx, "forgotPassword", { recoveryPerIp: ctx.request.ip, recoveryPerTarget: identifierAccount(ctx, kind, given) });
  const found = await findCustomer(ctx, key);
  const { hash } = newOpaqueToken();
  const expiresAt = new Date(Date.now() + LIFETIME_SECONDS.PASSWORD_RESET * 1000);
  await transact(actingAs(ctx, { kind: "CUSTOMER", id: found?.id ?? null }), async (tx, audit) => {
    const [row] = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO one_time_token (id, tenant_id, customer_id, purpose, token_hash, expires_at)
      SELECT gen_random_uuid(), tenant_id, id, 'PASSWORD_RESET', ${hash}, ${expiresAt}::timestamptz
      FROM customer WHERE id = ${found?.id ?? NIL_UUID}::uuid AND tenant_id = ${ctx.tenantId}::uuid
      RETURNING id`;
    await audit({
      type: "customer.password_reset_requested",
      customerId: row ? found!.id : null,
      data: row ? { identifierKind: kind, tokenId: row.id, expiresAt } : { identifierKind: kind, unknownIdentifier: true },
    });
  });
}

/** Recovery attempts are limited per IP and per token (its hash: the token itself is never a key). */
const takeRecovery = (ctx: ServiceContext, auth: AuthRuntime, field: string, token: string) =>
  auth.limits.take(ctx, field, {
    recoveryPerIp: ctx.request.ip,
    recoveryPerTarget: `token:${hashToken(token.slice(0, 200)).slice(0, 32)}`,
  });

/** Spends a token of the tenant if it is unused, not invalidated and not expired; null otherwise. */
async function consume(tx: Tx, ctx: ServiceContext, token: string, purpose: OneTimeTokenPurpose): Promise<OneTimeToken | null> {
  if (!looksLikeToken(token)) return null;
  const now = new Date();
  // Guarded UPDATE: of two concurrent uses exactly one gets the row.
  const [row] = await tx.oneTimeToken.updateManyAndReturn({
    where: { tokenHash: hashToken(token), tenantId: ctx.tenantId, purpose, usedAt: null, invalidatedAt: null, expiresAt: { gt: now } },
    data: { usedAt: now },
  });
  return row ?? null;
}

/** A usable token of the tenant, read without spending it (who it belongs to, before hashing). */
async function pending(ctx: ServiceContext, token: string, purpose: OneTimeTokenPurpose) {
  if (!looksLikeToken(token)) return null;
  return ctx.db.oneTimeToken.findFirst({
    where: {
      tokenHash: hashToken(token),
      tenantId: ctx.tenantId,
      purpose,
      usedAt: null,
      invalidatedAt: null,
      expiresAt: { gt: new Date() },
    },
    select: { id: true, customerId: true },
  });
}

const asCustomer = (ctx: ServiceContext, customerId: string) => actingAs(ctx, { kind: "CUSTOMER", id: customerId });

/**
 * Customer: marks the email a verification token was issued for as verified. INVALID_TOKEN for
 * unknown, used, expired or invalidated tokens, and when the email has been removed meanwhile
 * (nothing is written then). Limited per IP and per token (RATE_LIMITED). Records `token.used`
 * and `customer.email_verified`.
 * Cost: one transaction — a guarded UPDATE of the token, a customer lock, one contact UPDATE.
 */
export async function verifyEmail(ctx: ServiceContext, auth: AuthRuntime, token: string): Promise<{ customer: Customer; email: string }> {
  await takeRecovery(ctx, auth, "verifyEmail", token);
  const found = await pending(ctx, token, "EMAIL_VERIFICATION");
  if (!found) throw new AuthenticationError("INVALID_TOKEN");
  return transact(asCustomer(ctx, found.customerId), async (tx, audit) => {
    const row = await consume(tx, ctx, token, "EMAIL_VERIFICATION");
    if (!row) throw new AuthenticationError("INVALID_TOKEN");
    const customer = await requireCustomer(tx, ctx, row.customerId);
    const { count } = await tx.contact.updateMany({
      where: { customerId: customer.id, kind: "EMAIL", normalized: row.email ?? "" },
      data: { verified: true, verifiedAt: new Date() },
    });
    if (count === 0) throw new AuthenticationError("INVALID_TOKEN");
    await audit({ type: "token.used", customerId: customer.id, data: { tokenId: row.id, purpose: row.purpose } });
    await audit({ type: "customer.email_verified", customerId: customer.id, data: { email: row.email, tokenId: row.id } });
    return { customer, email: row.email! };
  });
}

/**
 * Customer: sets a new password with a reset token (policy: VALIDATION_FAILED on `newPassword`).
 * Signs the customer out everywhere and invalidates their other tokens. INVALID_TOKEN for
 * unknown, used, expired or invalidated tokens, checked before the (costly) hashing. Limited per
 * IP and per token (RATE_LIMITED).
 * Records `token.used` and `customer.password_reset`. Resets the failed sign-in counter, which
 * lifts a hard lock (proof of the mailbox beats guessing); the throttle's waits run out by themselves.
 * Cost: one indexed read, one argon2 hash, one transaction.
 */
export async function resetPassword(ctx: ServiceContext, auth: AuthRuntime, token: string, newPassword: string): Promise<Customer> {
  assertPasswordAllowed(newPassword, auth.config.password, "newPassword");
  await takeRecovery(ctx, auth, "resetPassword", token);
  const found = await pending(ctx, token, "PASSWORD_RESET");
  if (!found) throw new AuthenticationError("INVALID_TOKEN");
  const hash = await hashPassword(newPassword, auth.config.argon2);
  const actorCtx = asCustomer(ctx, found.customerId);
  return transact(actorCtx, async (tx, audit) => {
    const row = await consume(tx, ctx, token, "PASSWORD_RESET");
    if (!row) throw new AuthenticationError("INVALID_TOKEN");
    const before = await requireCustomer(tx, ctx, row.customerId);
    const { customer, revokedSessions, invalidatedTokens } = await applyNewPassword(tx, audit, actorCtx, before, hash, {
      reason: "password_reset",
    });
    await audit({ type: "token.used", customerId: customer.id, data: { tokenId: row.id, purpose: row.purpose } });
    await audit({
      type: "customer.password_reset",
      customerId: customer.id,
      data: { tokenId: row.id, revokedSessions, invalidatedTokens },
    });
    return customer;
  });
}

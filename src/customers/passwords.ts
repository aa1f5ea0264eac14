import { requireCustomer } from "../db/customer-lock.ts";
import { transact, type AuditWriter, type Tx } from "../db/transact.ts";
import type { Customer } from "../generated/prisma/client.ts";
import { hashPassword } from "../passwords/hashing.ts";
import { assertPasswordAllowed } from "../passwords/policy.ts";
import type { AuthRuntime } from "../security/auth-runtime.ts";
import type { ServiceContext } from "../service-context.ts";
import { endSessions } from "../sessions/service.ts";
import { queueNotification, type NotifyRequest } from "../notifications/queue.ts";

/**
 * Inside the caller's transaction (customer locked): stores a new password hash, clears the
 * failed sign-in counter, invalidates every unused verification and reset token of the customer,
 * and revokes the customer's sessions except `keepSession` (a password change is the moment to
 * throw out whoever else might be signed in). Returns the updated customer.
 */
export async function applyNewPassword(
  tx: Tx,
  audit: AuditWriter,
  ctx: ServiceContext,
  customer: Customer,
  passwordHash: string,
  options: { keepSession?: string; reason: string },
): Promise<{ customer: Customer; revokedSessions: number; invalidatedTokens: number }> {
  const now = new Date();
  const updated = await tx.customer.update({
    where: { id: customer.id },
    data: { passwordHash, passwordChangedAt: now, failedSignIns: 0, failedSignInsSince: null },
  });
  const { count: invalidatedTokens } = await tx.oneTimeToken.updateMany({
    where: { customerId: customer.id, usedAt: null, invalidatedAt: null },
    data: { invalidatedAt: now },
  });
  const ended = await endSessions(tx, audit, ctx, customer.id, { except: options.keepSession, reason: options.reason });
  return { customer: updated, revokedSessions: ended.length, invalidatedTokens };
}

/**
 * An admin-chosen password checked against the policy (VALIDATION_FAILED on `password`) and hashed
 * with argon2id: call it before the transaction, the hash takes tens of milliseconds.
 */
export async function newPasswordHash(auth: Pick<AuthRuntime, "config">, password: string): Promise<string> {
  assertPasswordAllowed(password, auth.config.password, "password");
  return hashPassword(password, auth.config.argon2);
}

/** What `customer.password_set` records (never the password or its hash). */
export const passwordSetData = (hadPassword: boolean, revokedSessions: number, invalidatedTokens: number) => ({
  hadPassword,
  revokedSessions,
  invalidatedTokens,
});

/**
 * Admin: sets (or replaces) a customer's password, NIST 800-63B policy (VALIDATION_FAILED on
 * `password`). Signs the customer out everywhere and invalidates pending reset tokens. Records
 * `customer.password_set` (never the password or its hash).
 * Cost: one argon2 hash (outside the transaction), then one transaction.
 */
export async function setPassword(
  ctx: ServiceContext,
  auth: AuthRuntime,
  customerId: string,
  password: string,
  notify?: NotifyRequest,
): Promise<Customer> {
  const hash = await newPasswordHash(auth, password);
  return transact(ctx, async (tx, audit) => {
    const before = await requireCustomer(tx, ctx, customerId);
    const { customer, revokedSessions, invalidatedTokens } = await applyNewPassword(tx, audit, ctx, before, hash, {
      reason: "password_set",
    });
    await audit({
      type: "customer.password_set",
      customerId: customer.id,
      data: passwordSetData(before.passwordHash !== null, revokedSessions, invalidatedTokens),
    });
    if (notify) await queueNotification(tx, ctx, audit, { ...notify, customerId: customer.id, kind: "PASSWORD_CHANGED" });
    return customer;
  });
}

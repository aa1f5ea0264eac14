import { transact, type AuditWriter, type Tx } from "../audit/transact.ts";
import { requireCustomer } from "../customers/guards.ts";
import { AuthenticationError } from "../errors.ts";
import type { Customer } from "../generated/prisma/client.ts";
import { dummyHash, hashPassword, verifyPassword } from "../passwords/hashing.ts";
import { assertPasswordAllowed } from "../passwords/policy.ts";
import type { ServiceContext } from "../service-context.ts";
import { endSessions } from "../sessions/service.ts";
import { recordFailure } from "./lockout.ts";
import type { AuthRuntime } from "./runtime.ts";
import { customerAccount } from "./throttle.ts";

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
 * Admin: sets (or replaces) a customer's password, NIST 800-63B policy (VALIDATION_FAILED on
 * `password`). Signs the customer out everywhere and invalidates pending reset tokens. Records
 * `customer.password_set` (never the password or its hash).
 * Cost: one argon2 hash (outside the transaction), then one transaction.
 */
export async function setPassword(ctx: ServiceContext, auth: AuthRuntime, customerId: string, password: string): Promise<Customer> {
  assertPasswordAllowed(password, auth.config.password, "password");
  const hash = await hashPassword(password, auth.config.argon2);
  return transact(ctx, async (tx, audit) => {
    const before = await requireCustomer(tx, ctx, customerId);
    const { customer, revokedSessions, invalidatedTokens } = await applyNewPassword(tx, audit, ctx, before, hash, {
      reason: "password_set",
    });
    await audit({
      type: "customer.password_set",
      customerId: customer.id,
      data: { hadPassword: before.passwordHash !== null, revokedSessions, invalidatedTokens },
    });
    return customer;
  });
}

/**
 * Customer: changes their own password after proving the current one. Limited like sign-in (per
 * IP, per customer) and throttled with it: a wrong current password counts toward the same
 * exponential wait and hard-lock counter as a failed sign-in (RATE_LIMITED while a wait runs),
 * answers INVALID_CREDENTIALS and records `customer.password_change_failed`. It never ends the
 * session it came with. On success every other session of the customer is revoked (this one
 * stays), pending tokens are invalidated, and `customer.password_changed` is recorded.
 * Cost: limiter round trips, one argon2 verification and one argon2 hash (outside the
 * transaction), one transaction.
 */
export async function changePassword(
  ctx: ServiceContext & { customerId: string; sessionId: string },
  auth: AuthRuntime,
  input: { currentPassword: string; newPassword: string },
): Promise<Customer> {
  assertPasswordAllowed(input.newPassword, auth.config.password, "newPassword");
  const account = customerAccount(ctx.customerId);
  await auth.limits.take(ctx, "changePassword", { signInPerIp: ctx.request.ip, signInPerAccount: account });
  const wait = await auth.throttle.wait(account, ctx.request.ip);
  if (wait !== null) throw auth.limits.refuse(ctx, "changePassword", "throttle", account, wait);
  const found = await ctx.db.customer.findFirstOrThrow({ where: { id: ctx.customerId, tenantId: ctx.tenantId } });
  const ok =
    (await verifyPassword(found.passwordHash ?? (await dummyHash(auth.config.argon2)), input.currentPassword)) &&
    found.passwordHash !== null;
  const hash = ok ? await hashPassword(input.newPassword, auth.config.argon2) : null;
  const outcome = !hash
    ? null
    : await transact(ctx, async (tx, audit) => {
        const before = await requireCustomer(tx, ctx, ctx.customerId);
        if (before.passwordHash !== found.passwordHash) return null;
        const { customer, revokedSessions, invalidatedTokens } = await applyNewPassword(tx, audit, ctx, before, hash, {
          keepSession: ctx.sessionId,
          reason: "password_changed",
        });
        await audit({
          type: "customer.password_changed",
          customerId: customer.id,
          data: { sessionId: ctx.sessionId, revokedSessions, invalidatedTokens },
        });
        return customer;
      });
  if (!outcome) {
    await recordFailure(ctx, auth.config.lockout, ctx.customerId, {
      type: "customer.password_change_failed",
      data: { reason: "wrong_current_password" },
    });
    await auth.throttle.fail(account, ctx.request.ip);
    throw new AuthenticationError("INVALID_CREDENTIALS", "The current password is incorrect");
  }
  return outcome;
}

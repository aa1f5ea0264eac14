import { applyNewPassword } from "../customers/passwords.ts";
import { requireCustomer } from "../db/customer-lock.ts";
import { transact } from "../db/transact.ts";
import { AuthenticationError } from "../errors.ts";
import type { Customer } from "../generated/prisma/client.ts";
import { dummyHash, hashPassword, verifyPassword } from "../passwords/hashing.ts";
import { assertPasswordAllowed } from "../passwords/policy.ts";
import type { AuthRuntime } from "../security/auth-runtime.ts";
import { recordFailure } from "../security/lockout.ts";
import { customerAccount } from "../security/throttle.ts";
import type { ServiceContext } from "../service-context.ts";

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

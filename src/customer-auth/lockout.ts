import type { AuditWriter, Tx } from "../audit/transact.ts";
import type { AuthConfig } from "../config.ts";
import type { Customer } from "../generated/prisma/client.ts";

export const LOCKOUT_REASON = "too many failed sign-ins";

/**
 * Counts one failed sign-in of a locked customer row (inside the caller's transaction) and records
 * `customer.sign_in_failed`. Failures count within a window that starts at the first one; the
 * `threshold`-th failure in a window blocks the customer for `durationSeconds` (status BLOCKED,
 * blockReason "too many failed sign-ins"), resets the counter and records `customer.locked_out`.
 * The row lock makes concurrent failures count one after the other, so a burst of parallel
 * guesses cannot slip past the threshold.
 * Cost: one UPDATE and one or two audit events.
 */
export async function recordFailedSignIn(tx: Tx, audit: AuditWriter, customer: Customer, config: AuthConfig["lockout"], reason: string): Promise<void> {
  const now = new Date();
  const since = customer.failedSignInsSince;
  const fresh = !since || now.getTime() - since.getTime() > config.windowSeconds * 1000;
  const failures = fresh ? 1 : customer.failedSignIns + 1;
  if (failures < config.threshold) {
    await tx.customer.update({ where: { id: customer.id }, data: { failedSignIns: failures, failedSignInsSince: fresh ? now : since } });
    await audit({ type: "customer.sign_in_failed", customerId: customer.id, data: { reason, failures } });
    return;
  }
  const blockedUntil = new Date(now.getTime() + config.durationSeconds * 1000);
  await tx.customer.update({
    where: { id: customer.id },
    data: { status: "BLOCKED", blockReason: LOCKOUT_REASON, blockedUntil, failedSignIns: 0, failedSignInsSince: null },
  });
  await audit({ type: "customer.sign_in_failed", customerId: customer.id, data: { reason, failures } });
  await audit({ type: "customer.locked_out", customerId: customer.id, data: { failures, windowSeconds: config.windowSeconds, blockedUntil } });
}

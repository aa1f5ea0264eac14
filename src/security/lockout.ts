import { transact, type Tx } from "../db/transact.ts";
import type { AuthConfig } from "../config.ts";
import { NIL_UUID } from "../ids.ts";
import { Prisma, type Customer } from "../generated/prisma/client.ts";
import { actingAs, type ServiceContext } from "../service-context.ts";

// The hard lock, a backstop far above what the throttle (throttle.ts) lets anyone reach in a day:
// `threshold` failures within `windowSeconds` refuse new sign-ins for `durationSeconds`. It lives
// in the failure counter alone — failedSignIns ≥ threshold, failedSignInsSince = when the lock
// began — and never touches the customer's status, so sessions and access tokens keep working
// (principal.ts only refuses customers that are not ACTIVE). An admin unblock clears it.

type Lockout = AuthConfig["lockout"];

/** Whether new sign-ins of this customer are refused by the hard lock right now. Pure. */
export function isLocked(c: Pick<Customer, "failedSignIns" | "failedSignInsSince">, config: Lockout, now = Date.now()): boolean {
  return lockedUntil(c, config, now) !== null;
}

/** When the hard lock on this customer ends, or null when there is none now. Pure. */
export function lockedUntil(c: Pick<Customer, "failedSignIns" | "failedSignInsSince">, config: Lockout, now = Date.now()): Date | null {
  if (c.failedSignIns < config.threshold || c.failedSignInsSince === null) return null;
  const end = c.failedSignInsSince.getTime() + config.durationSeconds * 1000;
  return now < end ? new Date(end) : null;
}

/**
 * Records one failed sign-in (or password change) in one transaction: the counter UPDATE and its
 * audit event (`type`, plus `customer.locked_out` when this failure reaches the threshold).
 *
 * Equal work for everyone: an unknown customer runs the very same UPDATE with the nil uuid, which
 * matches no row, so known and unknown identifiers cost the same statements. The UPDATE takes
 * the row lock and reads the counter it changes, so parallel failures count one after the other.
 * Cost: one transaction — one UPDATE, one or two audit events.
 */
export async function recordFailure(
  ctx: ServiceContext,
  config: Lockout,
  customerId: string | null,
  event: { type: string; data: Record<string, unknown> },
  /** A write that belongs to the same failure (a wrong MFA code counts against its challenge too). */
  also?: (tx: Tx) => Promise<unknown>,
): Promise<void> {
  const actorCtx = actingAs(ctx, { kind: "CUSTOMER", id: customerId });
  await transact(actorCtx, async (tx, audit) => {
    if (also) await also(tx);
    // A window is over when its time has passed: the counting window, or the lock's duration once
    // the threshold is reached. Reaching the threshold restamps the start: the lock begins now.
    const threshold = Prisma.sql`${config.threshold}::int`;
    const fresh = Prisma.sql`(failed_sign_ins_since IS NULL OR failed_sign_ins_since < now() - interval '1 second' *
      CASE WHEN failed_sign_ins >= ${threshold} THEN ${config.durationSeconds}::int ELSE ${config.windowSeconds}::int END)`;
    const [row] = await tx.$queryRaw<{ failures: number }[]>`
      UPDATE customer SET
        failed_sign_ins = CASE WHEN ${fresh} THEN 1 ELSE failed_sign_ins + 1 END,
        failed_sign_ins_since = CASE WHEN ${fresh} OR failed_sign_ins + 1 = ${threshold} THEN now() ELSE failed_sign_ins_since END
      WHERE id = ${customerId ?? NIL_UUID}::uuid AND tenant_id = ${ctx.tenantId}::uuid
      RETURNING failed_sign_ins AS failures`;
    await audit({ type: event.type, customerId, data: row ? { ...event.data, failures: row.failures } : event.data });
    if (row?.failures === config.threshold) {
      await audit({
        type: "customer.locked_out",
        customerId,
        data: { failures: row.failures, windowSeconds: config.windowSeconds, lockedForSeconds: config.durationSeconds },
      });
    }
  });
}

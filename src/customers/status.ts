import { z } from "zod";
import { diff, transact } from "../db/transact.ts";
import type { Customer } from "../generated/prisma/client.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";
import { endSessions } from "../sessions/service.ts";
import { requireCustomer } from "../db/customer-lock.ts";

// A customer is ACTIVE, BLOCKED (by an admin, with a reason and maybe an end) or
// DISABLED (switched off until enabled). BLOCKED and DISABLED customers cannot sign in.

/** The status in force now: a block whose `blockedUntil` has passed no longer applies. */
export function effectiveStatus(c: Pick<Customer, "status" | "blockedUntil">, now = new Date()): Customer["status"] {
  return c.status === "BLOCKED" && c.blockedUntil && c.blockedUntil <= now ? "ACTIVE" : c.status;
}

const blockInput = z.object({
  reason: z.string().trim().min(1).max(500),
  until: z.coerce
    .date()
    .refine((d) => d.getTime() > Date.now(), "must be in the future")
    .nullish(),
});

/**
 * Blocks a customer, replacing any earlier block's reason and end, and signs them out everywhere:
 * a block that only stopped new sign-ins would let a live token work again after unblocking.
 * Records `customer.blocked` (and `session.revoked_all` when a session was live).
 */
export async function blockCustomer(ctx: ServiceContext, customerId: string, input: z.input<typeof blockInput>): Promise<Customer> {
  const { reason, until } = parseInput(blockInput, input);
  return setStatus(ctx, customerId, "customer.blocked", { status: "BLOCKED", blockReason: reason, blockedUntil: until ?? null });
}

/**
 * Lifts a block and the sign-in hard lock (security/lockout.ts) and resets the failed
 * sign-in counter, so the customer gets the full number of attempts again. No-op (nothing
 * recorded) when there is neither a block nor a failure to forget. Records `customer.unblocked`
 * with the status diff and the failures it cleared. The caller also clears the limiter store's
 * account-wide throttle (customers/status.schema.ts).
 */
export async function unblockCustomer(ctx: ServiceContext, customerId: string): Promise<Customer> {
  return transact(ctx, async (tx, audit) => {
    const before = await requireCustomer(tx, ctx, customerId);
    const blocked = effectiveStatus(before) === "BLOCKED";
    if (!blocked && before.failedSignIns === 0) return before;
    const next: Partial<StatusFields> = blocked ? { status: "ACTIVE", blockReason: null, blockedUntil: null } : {};
    const customer = await tx.customer.update({ where: { id: before.id }, data: { ...next, failedSignIns: 0, failedSignInsSince: null } });
    const changes = diff(before as unknown as Record<string, unknown>, next);
    await audit({ type: "customer.unblocked", customerId: customer.id, data: { changes, clearedFailedSignIns: before.failedSignIns } });
    return customer;
  });
}

/**
 * Disables sign-in without deleting anything and signs the customer out everywhere. A blocked
 * customer stays blocked underneath.
 */
export async function disableCustomer(ctx: ServiceContext, customerId: string): Promise<Customer> {
  return setStatus(ctx, customerId, "customer.disabled", { status: "DISABLED" }, ["ACTIVE", "BLOCKED"]);
}

/** Re-enables a disabled customer (no-op otherwise). */
export async function enableCustomer(ctx: ServiceContext, customerId: string): Promise<Customer> {
  return setStatus(ctx, customerId, "customer.enabled", { status: "ACTIVE", blockReason: null, blockedUntil: null }, ["DISABLED"]);
}

type StatusFields = Pick<Customer, "status"> & Partial<Pick<Customer, "blockReason" | "blockedUntil">>;

async function setStatus(
  ctx: ServiceContext,
  customerId: string,
  type: string,
  next: StatusFields,
  from?: Customer["status"][],
): Promise<Customer> {
  return transact(ctx, async (tx, audit) => {
    const before = await requireCustomer(tx, ctx, customerId);
    if (from && !from.includes(effectiveStatus(before))) return before;
    const changes = diff(before as unknown as Record<string, unknown>, next);
    if (Object.keys(changes).length === 0) return before;
    const customer = await tx.customer.update({ where: { id: before.id }, data: next });
    await audit({ type, customerId: customer.id, data: { changes } });
    if (next.status !== "ACTIVE") await endSessions(tx, audit, ctx, customer.id, { reason: type.replace("customer.", "") });
    return customer;
  });
}

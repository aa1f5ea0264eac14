import { isIP } from "node:net";
import { z } from "zod";
import { issueAccessToken } from "../account/access-tokens.ts";
import { effectiveStatus } from "../customers/status.ts";
import { requireCustomer } from "../db/customer-lock.ts";
import { transact } from "../db/transact.ts";
import { NotFoundError, RuleViolationError, SignInUnavailableError } from "../errors.ts";
import type { Session } from "../generated/prisma/client.ts";
import { isUuid } from "../ids.ts";
import type { AuthRuntime } from "../security/auth-runtime.ts";
import type { ServiceContext } from "../service-context.ts";
import { activeWhere, revokedByOf } from "../sessions/service.ts";
import { parseInput } from "../validation.ts";

// Audited impersonation (seed 003): support staff holding CUSTOMERS_IMPERSONATE act as a customer
// for a few minutes. The admin gets a customer access token (no refresh token) on a session of its
// own, marked with the admin credential and the reason; the token carries RFC 8693's
// `act: { sub: <credential id> }`. Every request under it runs as the customer, and every audit
// event it writes names the admin as well (audit_event.impersonator_id, from the session row, not
// the token). Revoking the session ends the token at once, as for any session.

/** Impersonation lasts at most this long (and at most ACCESS_TOKEN_TTL_SECONDS: there is no refresh). */
export const MAX_IMPERSONATION_SECONDS = 15 * 60;
const DEFAULT_IMPERSONATION_SECONDS = 10 * 60;

const startInput = z.object({
  reason: z.string().trim().min(1, "say why (a ticket number, the customer's request)").max(500, "at most 500 characters"),
  ttlSeconds: z
    .number()
    .int()
    .min(60, "at least 60 seconds")
    .max(MAX_IMPERSONATION_SECONDS, `at most ${MAX_IMPERSONATION_SECONDS} seconds`)
    .nullish()
    .transform((s) => s ?? DEFAULT_IMPERSONATION_SECONDS),
});

export interface Impersonating {
  session: Session;
  accessToken: string;
  expiresAt: Date;
}

/**
 * Starts an impersonation session for the acting admin credential and signs its access token.
 * CUSTOMER_NOT_ACTIVE for a blocked or disabled customer (nothing written). Records
 * `customer.impersonation_started` with the reason, the session and its end.
 * Throws CUSTOMER_NOT_FOUND, VALIDATION_FAILED, SIGN_IN_UNAVAILABLE (no signing keys).
 * Cost: one transaction — customer row lock, one INSERT, the event — then one Ed25519 signature.
 */
export async function impersonateCustomer(
  ctx: ServiceContext,
  auth: AuthRuntime,
  customerId: string,
  input: { reason: string; ttlSeconds?: number | null },
): Promise<Impersonating> {
  const { reason, ttlSeconds } = parseInput(startInput, input);
  if (!auth.keys.masterKey) throw new SignInUnavailableError();
  await auth.keys.signer(); // fail before any write if the keys are unusable
  const admin = ctx.actor.kind === "ADMIN" ? ctx.actor.id : null;
  if (!admin) throw new Error("impersonation needs an admin credential as the actor");
  const session = await transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, customerId);
    const status = effectiveStatus(customer);
    if (status !== "ACTIVE") throw new RuleViolationError("CUSTOMER_NOT_ACTIVE", `the customer is ${status.toLowerCase()}`);
    const now = new Date();
    const created = await tx.session.create({
      data: {
        tenantId: ctx.tenantId,
        customerId: customer.id,
        createdAt: now,
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + ttlSeconds * 1000),
        ip: ctx.request.ip && isIP(ctx.request.ip) ? ctx.request.ip : null,
        userAgent: ctx.request.userAgent?.slice(0, 1024) ?? null,
        impersonatorId: admin,
        impersonationReason: reason,
      },
    });
    await audit({
      type: "customer.impersonation_started",
      customerId: customer.id,
      data: { sessionId: created.id, reason, expiresAt: created.expiresAt },
    });
    return created;
  });
  const access = await issueAccessToken(
    ctx.db,
    auth,
    { sub: session.customerId, tenant: ctx.tenantId, sid: session.id },
    { act: { sub: admin }, ttlSeconds },
  );
  // The session's end is the impersonation's end: the token's `exp` (whole seconds, signed a moment
  // later) may name the next second, but the session check refuses it from here on.
  return { session, accessToken: access.token, expiresAt: session.expiresAt };
}

/**
 * Ends an impersonation session of the tenant now: its token stops working at once. An ended one
 * is returned unchanged and records nothing. Records `customer.impersonation_ended`.
 * Throws SESSION_NOT_FOUND for unknown ids, other tenants' and ordinary (non-impersonation) sessions.
 * Cost: one transaction — one guarded UPDATE … RETURNING, the event (a lookup when nothing changed).
 */
export async function revokeImpersonation(ctx: ServiceContext, sessionId: string): Promise<Session> {
  if (!isUuid(sessionId)) throw new NotFoundError("SESSION_NOT_FOUND");
  const where = { id: sessionId, tenantId: ctx.tenantId, impersonatorId: { not: null } };
  return transact(ctx, async (tx, audit) => {
    const now = new Date();
    const [revoked] = await tx.session.updateManyAndReturn({
      where: { ...where, ...activeWhere(now) },
      data: { revokedAt: now, revokedBy: revokedByOf(ctx.actor) },
    });
    if (!revoked) {
      const session = await tx.session.findFirst({ where });
      if (!session) throw new NotFoundError("SESSION_NOT_FOUND");
      return session;
    }
    await audit({
      type: "customer.impersonation_ended",
      customerId: revoked.customerId,
      data: { sessionId: revoked.id, impersonatorId: revoked.impersonatorId },
    });
    return revoked;
  });
}

/** Who impersonates the customer in this session (credential, its name now, reason, end), or null. Cost: one indexed read. */
export async function currentImpersonation(ctx: ServiceContext, sessionId: string) {
  const session = await ctx.db.session.findFirst({
    where: { id: sessionId, tenantId: ctx.tenantId, impersonatorId: { not: null } },
    select: { impersonatorId: true, impersonationReason: true, expiresAt: true },
  });
  if (!session?.impersonatorId) return null;
  const credential = await ctx.db.adminCredential.findFirst({
    where: { id: session.impersonatorId, tenantId: ctx.tenantId },
    select: { name: true },
  });
  return {
    credentialId: session.impersonatorId,
    name: credential?.name ?? "",
    reason: session.impersonationReason ?? "",
    expiresAt: session.expiresAt,
  };
}

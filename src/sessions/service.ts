import { isIP } from "node:net";
import { z } from "zod";
import { transact, type AuditWriter, type Tx } from "../db/transact.ts";
import { isUuid } from "../ids.ts";
import { requireCustomer } from "../db/customer-lock.ts";
import { NotFoundError } from "../errors.ts";
import type { Customer, Prisma, Session } from "../generated/prisma/client.ts";
import type { Actor, ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";
import { parseUserAgent } from "./user-agent.ts";
import { lookupGeo, type GeoMode } from "../geoip.ts";

// A session is one signed-in device of a customer. It ends when it expires, when it has not been
// used for its idle timeout, or when it is revoked; rows are kept afterwards so admins can see
// where a customer was signed in.

const DEFAULT_TTL_SECONDS = 30 * 24 * 3600;
const MAX_TTL_SECONDS = 366 * 24 * 3600;

/** Whether a session can still be used: not revoked, not expired, not idle for too long. */
export function isActive(s: Pick<Session, "revokedAt" | "expiresAt" | "idleExpiresAt">, now = new Date()): boolean {
  return s.revokedAt === null && s.expiresAt > now && (s.idleExpiresAt === null || s.idleExpiresAt > now);
}

/** The Prisma filter for sessions that are active at `now` (the same rule as `isActive`). */
export function activeWhere(now = new Date()): Prisma.SessionWhereInput {
  return { revokedAt: null, expiresAt: { gt: now }, OR: [{ idleExpiresAt: null }, { idleExpiresAt: { gt: now } }] };
}

/** Sessions that have ended: revoked, expired or idle at `now`. */
export function endedWhere(now = new Date()): Prisma.SessionWhereInput {
  return { OR: [{ revokedAt: { not: null } }, { expiresAt: { lte: now } }, { idleExpiresAt: { lte: now } }] };
}

/** When a session used now times out for idleness; null without an idle limit (0 seconds). */
export const idleExpiry = (idleTimeoutSeconds: number, now = new Date()): Date | null =>
  idleTimeoutSeconds > 0 ? new Date(now.getTime() + idleTimeoutSeconds * 1000) : null;

/** Who ended a session, as stored in `revokedBy`: "admin:<credential id>", "customer:<id>", "system". */
export const revokedByOf = (actor: Actor) => (actor.id ? `${actor.kind.toLowerCase()}:${actor.id}` : actor.kind.toLowerCase());

const geoText = z.string().trim().min(1).max(100);

const createInput = z.object({
  ip: z
    .string()
    .trim()
    .refine((ip) => isIP(ip) !== 0, "not an IPv4 or IPv6 address")
    .nullish(),
  // A header we do not control: keep a bounded prefix instead of refusing the sign-in.
  userAgent: z
    .string()
    .transform((ua) => ua.slice(0, 1024))
    .nullish(),
  ttlSeconds: z.number().int().min(1).max(MAX_TTL_SECONDS).default(DEFAULT_TTL_SECONDS),
  /** Ends the session after this long without use (sign-in counts, then every refresh); 0: never. */
  idleTimeoutSeconds: z.number().int().min(0).max(MAX_TTL_SECONDS).default(0),
  geo: z
    .object({
      country: z
        .string()
        .trim()
        .toUpperCase()
        .regex(/^[A-Z]{2}$/, "an ISO 3166-1 alpha-2 code")
        .nullish(),
      region: geoText.nullish(),
      city: geoText.nullish(),
    })
    .nullish(),
});

export type CreateSessionInput = z.input<typeof createInput>;

/**
 * Starts a session for a customer of the caller's tenant: parses the user agent into
 * browser/os/device, stores the coarse geo location as given — or, without one, as `geoip`
 * resolves it from `ip` (off unless the caller passes its GEOIP) — expires after `ttlSeconds`
 * (default 30 days). Throws CUSTOMER_NOT_FOUND, VALIDATION_FAILED.
 * Cost: a geo lookup (geo.ts) before one transaction — customer row lock, one INSERT, `session.created`.
 */
export async function createSession(
  ctx: ServiceContext,
  customerId: string,
  input: CreateSessionInput,
  geoip: GeoMode = "off",
): Promise<Session> {
  const data = parseInput(createInput, input);
  // Outside the transaction: a reader's first open reads its file and must not hold the row lock.
  const geo = data.geo ?? (await lookupGeo(data.ip, geoip));
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, customerId);
    return startSession(tx, audit, ctx, customer.id, { ...data, geo });
  });
}

/**
 * The INSERT and `session.created` of createSession, inside the caller's transaction (sign-in
 * starts its session in the same transaction as its other writes). The caller has locked the
 * customer. Throws VALIDATION_FAILED for bad input.
 */
export async function startSession(
  tx: Tx,
  audit: AuditWriter,
  ctx: ServiceContext,
  customerId: string,
  input: CreateSessionInput,
): Promise<Session> {
  const data = parseInput(createInput, input);
  const agent = parseUserAgent(data.userAgent);
  // One clock for createdAt and expiresAt: the same one `isActive` and `activeWhere` compare with.
  const now = new Date();
  const session = await tx.session.create({
    data: {
      tenantId: ctx.tenantId,
      customerId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + data.ttlSeconds * 1000),
      idleExpiresAt: idleExpiry(data.idleTimeoutSeconds, now),
      ip: data.ip ?? null,
      userAgent: data.userAgent ?? null,
      ...agent,
      geoCountry: data.geo?.country ?? null,
      geoRegion: data.geo?.region ?? null,
      geoCity: data.geo?.city ?? null,
    },
  });
  await audit({
    type: "session.created",
    customerId,
    data: { sessionId: session.id, ip: session.ip, ...agent, country: session.geoCountry, expiresAt: session.expiresAt },
  });
  return session;
}

/**
 * Revokes one session of the caller's tenant (for a CUSTOMER actor: one of their own sessions).
 * A session that has already ended (revoked or expired) is returned unchanged and records
 * nothing. Throws SESSION_NOT_FOUND for unknown, malformed and other tenants' (or customers') ids.
 * Cost: one transaction — one guarded UPDATE … RETURNING plus `session.revoked`; a lookup by
 * primary key only when nothing was revoked.
 */
export async function revokeSession(ctx: ServiceContext, sessionId: string): Promise<Session> {
  if (!isUuid(sessionId)) throw new NotFoundError("SESSION_NOT_FOUND");
  // A customer may end only their own sessions; someone else's reads as not found.
  const owner = ctx.actor.kind === "CUSTOMER" && ctx.actor.id ? { customerId: ctx.actor.id } : {};
  return transact(ctx, async (tx, audit) => {
    const now = new Date();
    // Guarded by `active`, so of two concurrent revokes only one changes the row and records it.
    const [revoked] = await tx.session.updateManyAndReturn({
      where: { id: sessionId, tenantId: ctx.tenantId, ...owner, ...activeWhere(now) },
      data: { revokedAt: now, revokedBy: revokedByOf(ctx.actor) },
    });
    if (!revoked) {
      const session = await tx.session.findUnique({ where: { id_tenantId: { id: sessionId, tenantId: ctx.tenantId }, ...owner } });
      if (!session) throw new NotFoundError("SESSION_NOT_FOUND");
      return session;
    }
    await audit({ type: "session.revoked", customerId: revoked.customerId, data: { sessionId: revoked.id } });
    return revoked;
  });
}

export interface RevokedSessions {
  customer: Customer;
  /** Row ids of the sessions this call ended. */
  sessionIds: string[];
}

/**
 * Revokes every active session of a customer of the caller's tenant ("sign out everywhere").
 * Records one `session.revoked_all` event with the count and ids, or nothing when no session was
 * active. Throws CUSTOMER_NOT_FOUND.
 * Cost: one transaction — customer row lock, one UPDATE … RETURNING over the customer's
 * sessions (index on customer_id), `session.revoked_all`.
 */
export async function revokeAllSessions(ctx: ServiceContext, customerId: string): Promise<RevokedSessions> {
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, customerId);
    const sessionIds = await endSessions(tx, audit, ctx, customer.id);
    return { customer, sessionIds };
  });
}

/**
 * Inside the caller's transaction (customer already locked): revokes every active session of the
 * customer except `except`, and records one `session.revoked_all` (with `reason` when given) if
 * any was active. Returns the ended sessions' ids, sorted. Password changes and resets use this.
 */
export async function endSessions(
  tx: Tx,
  audit: AuditWriter,
  ctx: ServiceContext,
  customerId: string,
  options: { except?: string; reason?: string } = {},
): Promise<string[]> {
  const now = new Date();
  const revoked = await tx.session.updateManyAndReturn({
    where: { customerId, ...activeWhere(now), ...(options.except ? { id: { not: options.except } } : {}) },
    data: { revokedAt: now, revokedBy: revokedByOf(ctx.actor) },
    select: { id: true },
  });
  const sessionIds = revoked.map((s) => s.id).sort();
  if (sessionIds.length > 0) {
    await audit({
      type: "session.revoked_all",
      customerId,
      data: { count: sessionIds.length, sessionIds, ...(options.reason ? { reason: options.reason } : {}) },
    });
  }
  return sessionIds;
}

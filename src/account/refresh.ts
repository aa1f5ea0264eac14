import { transact } from "../db/transact.ts";
import { effectiveStatus } from "../customers/status.ts";
import { AuthenticationError, SignInUnavailableError } from "../errors.ts";
import type { Session } from "../generated/prisma/client.ts";
import { hashToken, looksLikeToken } from "../security/tokens.ts";
import { actingAs, type ServiceContext } from "../service-context.ts";
import { activeWhere, idleExpiry, isActive, revokedByOf } from "../sessions/service.ts";
import { issueAccessToken } from "./access-tokens.ts";
import { sessionAmr } from "../authenticators/challenges.ts";
import { issueRefreshToken } from "./refresh-tokens.ts";
import type { AuthRuntime } from "../security/auth-runtime.ts";

export interface Refreshed {
  session: Session;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
}

/**
 * Trades a refresh token for a new access token and a new refresh token (rotation: the old one
 * is spent). A refresh token that was already rotated and comes back means two parties hold it —
 * the customer and a thief, and we cannot tell which is which — so the whole session is revoked
 * and `session.refresh_reuse_detected` recorded; both parties must sign in again. That event is
 * committed before INVALID_TOKEN is answered. Unknown tokens, other tenants' tokens, ended
 * sessions and blocked or disabled customers answer INVALID_TOKEN and write nothing.
 *
 * Cost: one indexed lookup (token hash, joined to session and customer), then one transaction:
 * a guarded UPDATE claiming the token (two concurrent refreshes: one wins, the other is reuse),
 * one INSERT, one session UPDATE, `session.refreshed`; then one Ed25519 signature.
 */
export async function refreshSession(ctx: ServiceContext, auth: AuthRuntime, refreshToken: string): Promise<Refreshed> {
  if (!auth.keys.masterKey) throw new SignInUnavailableError();
  const invalid = () => new AuthenticationError("INVALID_TOKEN");
  if (!looksLikeToken(refreshToken)) throw invalid();
  const row = await ctx.db.refreshToken.findUnique({
    where: { tokenHash: hashToken(refreshToken) },
    include: { session: { include: { customer: { select: { status: true, blockedUntil: true } } } } },
  });
  if (!row || row.tenantId !== ctx.tenantId) throw invalid();
  const { session } = row;
  const actorCtx = actingAs(ctx, { kind: "CUSTOMER", id: session.customerId });
  if (!isActive(session) || effectiveStatus(session.customer) !== "ACTIVE") throw invalid();

  const outcome = await transact(actorCtx, async (tx, audit) => {
    const now = new Date();
    const claimed = row.rotatedAt
      ? 0
      : (await tx.refreshToken.updateMany({ where: { id: row.id, rotatedAt: null }, data: { rotatedAt: now } })).count;
    if (claimed === 0) {
      // Reuse of a rotated token: end the session (theft detection).
      await tx.session.updateMany({
        where: { id: session.id, ...activeWhere(now) },
        data: { revokedAt: now, revokedBy: revokedByOf({ kind: "SYSTEM", id: null }) },
      });
      await audit({
        type: "session.refresh_reuse_detected",
        customerId: session.customerId,
        data: { sessionId: session.id, refreshTokenId: row.id, rotatedAt: row.rotatedAt ?? now },
      });
      return null;
    }
    const next = await issueRefreshToken(tx, actorCtx, session.id);
    // Using the session is what keeps it from timing out for idleness.
    const idle = session.idleExpiresAt ? idleExpiry(auth.config.sessionIdleTimeoutSeconds, now) : null;
    const updated = await tx.session.update({ where: { id: session.id }, data: { lastSeenAt: now, idleExpiresAt: idle } });
    await audit({ type: "session.refreshed", customerId: session.customerId, data: { sessionId: session.id } });
    return { session: updated, refreshToken: next };
  });
  if (!outcome) throw invalid();
  // The session keeps how it was signed in: its refreshed tokens say the same amr. Claims are read
  // again at every refresh: role and group changes reach the next token.
  const amr = await sessionAmr(ctx.db, session.id);
  const access = await issueAccessToken(ctx.db, auth, { sub: session.customerId, tenant: ctx.tenantId, sid: session.id, amr });
  return { ...outcome, accessToken: access.token, accessTokenExpiresAt: access.expiresAt };
}

/**
 * Ends the caller's own session (the one their access token names): its access and refresh
 * tokens stop working at once. Records `customer.signed_out`; signing out of a session that has
 * already ended records nothing. Cost: one transaction — a guarded UPDATE, the audit event.
 */
export async function signOut(ctx: ServiceContext & { customerId: string; sessionId: string }): Promise<Session> {
  return transact(ctx, async (tx, audit) => {
    const now = new Date();
    const [ended] = await tx.session.updateManyAndReturn({
      where: { id: ctx.sessionId, tenantId: ctx.tenantId, customerId: ctx.customerId, ...activeWhere(now) },
      data: { revokedAt: now, revokedBy: revokedByOf(ctx.actor) },
    });
    if (!ended) return tx.session.findUniqueOrThrow({ where: { id: ctx.sessionId } });
    await audit({ type: "customer.signed_out", customerId: ctx.customerId, data: { sessionId: ended.id } });
    return ended;
  });
}

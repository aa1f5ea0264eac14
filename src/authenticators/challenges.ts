import type { AuditWriter, Tx } from "../db/transact.ts";
import type { MfaChallenge } from "../generated/prisma/client.ts";
import { hashToken, looksLikeToken, newOpaqueToken } from "../security/tokens.ts";
import type { ServiceContext } from "../service-context.ts";

// MFA sign-in challenges: what signIn answers instead of tokens when the customer has a confirmed
// authenticator app. 32 random bytes handed out once, stored as SHA-256, bound to the customer,
// good for 5 minutes, for one successful completeSignIn and for at most 5 wrong codes.

export const CHALLENGE_TTL_SECONDS = 300;
export const MAX_CHALLENGE_FAILURES = 5;

/** The second factors completeSignIn accepts. */
export type MfaMethod = "TOTP" | "RECOVERY_CODE";

export interface IssuedChallenge {
  challenge: string;
  expiresAt: Date;
  methods: MfaMethod[];
}

/**
 * In the sign-in transaction (customer locked): issues a challenge and forgets the customer's dead
 * ones. Records `customer.mfa_challenge_issued`. Cost: one DELETE, one INSERT, one count.
 */
export async function openChallenge(
  tx: Tx,
  audit: AuditWriter,
  ctx: ServiceContext,
  customerId: string,
  identifierKind: string,
): Promise<IssuedChallenge> {
  const now = new Date();
  await tx.mfaChallenge.deleteMany({ where: { customerId, OR: [{ expiresAt: { lt: now } }, { usedAt: { not: null } }] } });
  const { token, hash } = newOpaqueToken();
  const expiresAt = new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000);
  const row = await tx.mfaChallenge.create({ data: { tenantId: ctx.tenantId, customerId, tokenHash: hash, identifierKind, expiresAt } });
  const codes = await tx.recoveryCode.count({ where: { customerId, usedAt: null } });
  const methods: MfaMethod[] = codes > 0 ? ["TOTP", "RECOVERY_CODE"] : ["TOTP"];
  await audit({ type: "customer.mfa_challenge_issued", customerId, data: { challengeId: row.id, identifierKind, expiresAt, methods } });
  return { challenge: token, expiresAt, methods };
}

/** Whether a challenge can still be completed now: unused, unexpired, fewer than 5 wrong codes, and not older than the password. */
export function challengeUsable(row: MfaChallenge, passwordChangedAt: Date | null, now = new Date()): boolean {
  return (
    row.usedAt === null &&
    row.expiresAt > now &&
    row.failedAttempts < MAX_CHALLENGE_FAILURES &&
    (passwordChangedAt === null || passwordChangedAt <= row.createdAt)
  );
}

/** The challenge of the caller's tenant with this text, or null (malformed, unknown, another tenant's). Cost: one indexed lookup. */
export async function findChallenge(db: Pick<Tx, "mfaChallenge">, ctx: ServiceContext, challenge: string): Promise<MfaChallenge | null> {
  if (!looksLikeToken(challenge)) return null;
  return db.mfaChallenge.findFirst({ where: { tokenHash: hashToken(challenge), tenantId: ctx.tenantId } });
}

/** A wrong code: one more failure on the challenge (in the failure's own transaction). */
export const countChallengeFailure = (tx: Tx, challengeId: string) =>
  tx.mfaChallenge.update({ where: { id: challengeId }, data: { failedAttempts: { increment: 1 } } });

/** A completed sign-in spends the challenge and remembers its session (whose tokens then say amr pwd+otp). */
export const spendChallenge = (tx: Tx, challengeId: string, sessionId: string) =>
  tx.mfaChallenge.update({ where: { id: challengeId }, data: { usedAt: new Date(), sessionId } });

/** What a session's access tokens say about how the customer signed in (RFC 8176 amr). Cost: one indexed lookup. */
export async function sessionAmr(db: Pick<Tx, "mfaChallenge">, sessionId: string): Promise<string[]> {
  const mfa = await db.mfaChallenge.findUnique({ where: { sessionId }, select: { id: true } });
  return mfa ? ["pwd", "otp"] : ["pwd"];
}

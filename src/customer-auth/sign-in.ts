import { isIP } from "node:net";
import { z } from "zod";
import { transact } from "../audit/transact.ts";
import { findCustomer } from "../customers/lookup.ts";
import { effectiveStatus } from "../customers/status.ts";
import { AuthenticationError, SignInUnavailableError } from "../errors.ts";
import type { Customer, Session } from "../generated/prisma/client.ts";
import { dummyHash, hashPassword, needsRehash, verifyPassword } from "../passwords/hashing.ts";
import type { ServiceContext } from "../service-context.ts";
import { startSession } from "../sessions/service.ts";
import { parseInput } from "../validation.ts";
import { signAccessToken } from "./access-tokens.ts";
import { lockCustomer, parseIdentifier } from "./identifier.ts";
import { recordFailedSignIn } from "./lockout.ts";
import { issueRefreshToken } from "./refresh-tokens.ts";
import type { AuthRuntime } from "./runtime.ts";

const signInInput = z.object({
  identifier: z.string().trim().min(1).max(320),
  // Far above the policy's maximum, but bounded: argon2 reads the whole input.
  password: z.string().min(1).max(1024),
});

export interface SignedIn {
  customer: Customer;
  session: Session;
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
}

/**
 * Signs a customer in with an email, phone or username and a password: starts a Session (IP and
 * parsed user agent of the request), issues a refresh token and a short-lived access token.
 *
 * Every failure answers the same INVALID_CREDENTIALS after the same work: an unknown identifier
 * is verified against a dummy hash of the configured cost, so neither the answer nor its timing
 * tells whether an account exists. The cause (unknown_identifier, wrong_password, no_password,
 * blocked, disabled) is recorded in `customer.sign_in_failed` for admins. A wrong password counts
 * towards the lockout (lockout.ts). A failure is a committed transaction that records it, then
 * the error — never a rollback.
 *
 * A hash made with other argon2 parameters than the configured ones is replaced by a new one
 * after a successful verification (the only time the password is known).
 *
 * Cost: one indexed lookup, one argon2 verification (two when rehashing), then one transaction:
 * customer row lock, an UPDATE, the session and refresh token INSERTs and the audit events.
 */
export async function signIn(ctx: ServiceContext, auth: AuthRuntime, input: { identifier: string; password: string }): Promise<SignedIn> {
  if (!auth.keys.masterKey) throw new SignInUnavailableError();
  const { identifier, password } = parseInput(signInInput, input);
  await auth.keys.signer(); // fail before any write if the keys are unusable
  const { kind, key } = parseIdentifier(identifier);
  const found = await findCustomer(ctx, key);
  const params = auth.config.argon2;
  // Always one full verification, whether or not there is a customer or a password.
  const verified = await verifyPassword(found?.passwordHash ?? (await dummyHash(params)), password);
  const ok = verified && Boolean(found?.passwordHash);
  const rehash = ok && needsRehash(found!.passwordHash!, params) ? await hashPassword(password, params) : null;

  const actorCtx: ServiceContext = { ...ctx, actor: { kind: "CUSTOMER", id: found?.id ?? null } };
  const outcome = await transact(actorCtx, async (tx, audit) => {
    const customer = found ? await lockCustomer(tx, actorCtx, found.id) : null;
    const fail = async (reason: string) => {
      await audit({ type: "customer.sign_in_failed", customerId: customer?.id ?? null, data: { reason, identifierKind: kind } });
      return null;
    };
    if (!customer) return fail("unknown_identifier");
    const status = effectiveStatus(customer);
    if (status !== "ACTIVE") return fail(status.toLowerCase());
    if (!customer.passwordHash) return fail("no_password");
    // The hash we verified must still be the current one (a concurrent password change wins).
    if (!ok || customer.passwordHash !== found!.passwordHash) {
      await recordFailedSignIn(tx, audit, customer, auth.config.lockout, "wrong_password");
      return null;
    }
    const now = new Date();
    const updated = await tx.customer.update({
      where: { id: customer.id },
      data: {
        lastLoginAt: now,
        failedSignIns: 0,
        failedSignInsSince: null,
        // A lockout that has run out is cleared for good on the next successful sign-in.
        ...(customer.status === "BLOCKED" ? { status: "ACTIVE", blockReason: null, blockedUntil: null } : {}),
        ...(rehash ? { passwordHash: rehash } : {}),
      },
    });
    const session = await startSession(tx, audit, actorCtx, customer.id, {
      ip: ctx.request.ip && isIP(ctx.request.ip) ? ctx.request.ip : null,
      userAgent: ctx.request.userAgent,
      ttlSeconds: auth.config.sessionTtlSeconds,
      idleTimeoutSeconds: auth.config.sessionIdleTimeoutSeconds,
    });
    const refreshToken = await issueRefreshToken(tx, actorCtx, session.id);
    await audit({
      type: "customer.signed_in",
      customerId: customer.id,
      data: { sessionId: session.id, identifierKind: kind, passwordRehashed: rehash !== null },
    });
    return { customer: updated, session, refreshToken };
  });
  if (!outcome) throw new AuthenticationError("INVALID_CREDENTIALS");
  const access = await signAccessToken(auth, { sub: outcome.customer.id, tenant: ctx.tenantId, sid: outcome.session.id });
  return { ...outcome, accessToken: access.token, accessTokenExpiresAt: access.expiresAt };
}

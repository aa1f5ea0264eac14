import { isIP } from "node:net";
import { z } from "zod";
import { transact, type AuditWriter, type Tx } from "../db/transact.ts";
import { openChallenge, type IssuedChallenge } from "../authenticators/challenges.ts";
import { confirmedFactors } from "../authenticators/second-factor.ts";
import { findCustomer } from "../customers/lookup.ts";
import { effectiveStatus } from "../customers/status.ts";
import { AuthenticationError, SignInUnavailableError } from "../errors.ts";
import type { Customer, Session } from "../generated/prisma/client.ts";
import { type Argon2Params, dummyHash, hashPassword, isArgon2id, needsRehash, verifyPassword } from "../passwords/hashing.ts";
import { hashAlgorithm } from "../passwords/foreign-hashes.ts";
import { actingAs, type ServiceContext } from "../service-context.ts";
import { startSession } from "../sessions/service.ts";
import { lookupGeo, type Geo } from "../geoip.ts";
import { parseInput } from "../validation.ts";
import { issueAccessToken } from "./access-tokens.ts";
import { identifierAccount, lockCustomer, parseIdentifier } from "./identifier.ts";
import { isLocked, recordFailure } from "../security/lockout.ts";
import { customerAccount } from "../security/throttle.ts";
import { issueRefreshToken } from "./refresh-tokens.ts";
import type { AuthRuntime } from "../security/auth-runtime.ts";

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
 * Signs a customer in with an email, phone or username and a password: starts a Session (IP,
 * parsed user agent and GEOIP location of the request), issues a refresh token and a
 * short-lived access token.
 *
 * Guards, in order: the per-IP and per-identifier rate limits (before any database work), then
 * the throttle (throttle.ts: exponential waits after failures, per account and per account+IP).
 * Both answer RATE_LIMITED with retryAfter, the same for existing and unknown identifiers.
 *
 * Every failure answers the same INVALID_CREDENTIALS after the same work: one argon2 verification
 * (against a dummy hash when there is no customer or no password) and one transaction with the
 * same statements (lockout.ts runs its counter UPDATE with the nil uuid for an unknown customer),
 * so neither the answer nor its timing tells whether an account exists. The cause
 * (unknown_identifier, wrong_password, no_password, blocked, disabled, locked) is recorded in
 * `customer.sign_in_failed` for admins. Failures never change the customer's status or end
 * sessions; only the hard lock (lockout.ts) refuses new sign-ins, far above the throttle.
 *
 * A hash made with another algorithm (imported: passwords/foreign-hashes.ts) or with other argon2
 * parameters than the configured ones is replaced by an argon2id one after a successful
 * verification (the only time the password is known), recorded as `customer.password_rehashed`.
 *
 * With a confirmed authenticator app (authenticators/), a right password answers a challenge
 * instead (`mfaRequired`: challenges.ts, `customer.mfa_challenge_issued`); completeSignIn
 * (complete-sign-in.ts) ends it like this function with startSignedIn. The access token's `amr`
 * says which: ["pwd"] here, ["pwd","otp"] there.
 *
 * Cost: a few limiter round trips (Redis or memory), one indexed lookup, one argon2 verification (two when
 * rehashing), then one transaction: customer row lock, an UPDATE, the session and refresh token
 * INSERTs and the audit events (on failure: one UPDATE and the audit event).
 */
export async function signIn(
  ctx: ServiceContext,
  auth: AuthRuntime,
  input: { identifier: string; password: string },
): Promise<SignedIn | { mfaRequired: IssuedChallenge }> {
  if (!auth.keys.masterKey) throw new SignInUnavailableError();
  const { identifier, password } = parseInput(signInInput, input);
  await auth.keys.signer(); // fail before any write if the keys are unusable
  const { kind, key } = parseIdentifier(identifier);
  const named = identifierAccount(ctx, kind, identifier);
  await auth.limits.take(ctx, "signIn", { signInPerIp: ctx.request.ip, signInPerAccount: named });
  const found = await findCustomer(ctx, key);
  const account = found ? customerAccount(found.id) : named;
  const wait = await auth.throttle.wait(account, ctx.request.ip);
  if (wait !== null) throw auth.limits.refuse(ctx, "signIn", "throttle", account, wait);

  const { ok, rehash } = await checkPassword(found?.passwordHash ?? null, password, auth.config.argon2);
  const geo = ok ? await lookupGeo(ctx.request.ip, auth.config.geoip) : null; // before the transaction: a first lookup reads a file

  const actorCtx = actingAs(ctx, { kind: "CUSTOMER", id: found?.id ?? null });
  const outcome = !ok
    ? null
    : await transact(actorCtx, async (tx, audit) => {
        const customer = await lockCustomer(tx, actorCtx, found!.id);
        // The hash we verified must still be the current one (a concurrent password change wins).
        if (!customer || refusal(customer, auth) || customer.passwordHash !== found!.passwordHash) return null;
        // A confirmed authenticator app: the password alone opens nothing (and resets no failure counter).
        if ((await confirmedFactors(tx, customer.id)).length > 0) {
          if (rehash) await tx.customer.update({ where: { id: customer.id }, data: { passwordHash: rehash } });
          await recordRehash(audit, customer, rehash);
          return { challenge: await openChallenge(tx, audit, actorCtx, customer.id, kind) };
        }
        return startSignedIn(tx, audit, actorCtx, auth, customer, { geo, identifierKind: kind, rehash, amr: ["pwd"] });
      });
  if (!outcome) {
    const reason = !found ? "unknown_identifier" : (refusal(found, auth) ?? (found.passwordHash ? "wrong_password" : "no_password"));
    await recordFailure(ctx, auth.config.lockout, found?.id ?? null, {
      type: "customer.sign_in_failed",
      data: { reason, identifierKind: kind },
    });
    await auth.throttle.fail(account, ctx.request.ip);
    throw new AuthenticationError("INVALID_CREDENTIALS");
  }
  if ("challenge" in outcome) return { mfaRequired: outcome.challenge };
  await auth.throttle.succeed(account, ctx.request.ip);
  const access = await issueAccessToken(ctx.db, auth, {
    sub: outcome.customer.id,
    tenant: ctx.tenantId,
    sid: outcome.session.id,
    amr: ["pwd"],
  });
  return { ...outcome, accessToken: access.token, accessTokenExpiresAt: access.expiresAt };
}

/**
 * In the sign-in transaction (customer locked, every check passed): stamps lastLoginAt, clears the
 * failure counter (and stores the rehashed password), starts the session, issues its refresh
 * token, and records `customer.signed_in` with the methods used (`amr`). Shared by signIn and
 * completeSignIn, so a second-factor sign-in ends exactly like a password one.
 */
export async function startSignedIn(
  tx: Tx,
  audit: AuditWriter,
  actorCtx: ServiceContext,
  auth: AuthRuntime,
  customer: Customer,
  opts: { geo: Geo | null; identifierKind: string; rehash: string | null; amr: string[]; secondFactor?: Record<string, unknown> },
): Promise<{ customer: Customer; session: Session; refreshToken: string }> {
  const updated = await tx.customer.update({
    where: { id: customer.id },
    data: { lastLoginAt: new Date(), failedSignIns: 0, failedSignInsSince: null, ...(opts.rehash ? { passwordHash: opts.rehash } : {}) },
  });
  const ip = actorCtx.request.ip;
  const session = await startSession(tx, audit, actorCtx, customer.id, {
    ip: ip && isIP(ip) ? ip : null,
    userAgent: actorCtx.request.userAgent,
    geo: opts.geo,
    ttlSeconds: auth.config.sessionTtlSeconds,
    idleTimeoutSeconds: auth.config.sessionIdleTimeoutSeconds,
  });
  const refreshToken = await issueRefreshToken(tx, actorCtx, session.id);
  await recordRehash(audit, customer, opts.rehash);
  await audit({
    type: "customer.signed_in",
    customerId: customer.id,
    data: {
      sessionId: session.id,
      identifierKind: opts.identifierKind,
      passwordRehashed: opts.rehash !== null,
      amr: opts.amr,
      ...(opts.secondFactor ? { secondFactor: opts.secondFactor } : {}),
    },
  });
  return { customer: updated, session, refreshToken };
}

/** `customer.password_rehashed`: from which algorithm (argon2id when only its parameters changed), never the hash. */
async function recordRehash(audit: AuditWriter, customer: Customer, rehash: string | null) {
  if (!rehash) return;
  await audit({ type: "customer.password_rehashed", customerId: customer.id, data: { from: hashAlgorithm(customer.passwordHash!) } });
}

/**
 * Whether `password` matches the stored hash, and the argon2id hash to replace it with when it
 * should be (another algorithm, or older argon2id parameters). Always one full argon2id
 * verification, whether or not there is a customer or a password. A hash imported from another
 * system is verified with its own algorithm and the dummy argon2id as well, so it never answers
 * faster than an unknown identifier; it answers slower by the foreign algorithm's cost (nothing
 * for digests, one bcrypt or PBKDF2 run otherwise) until its first successful sign-in.
 */
async function checkPassword(
  stored: string | null,
  password: string,
  params: Argon2Params,
): Promise<{ ok: boolean; rehash: string | null }> {
  if (stored !== null && !isArgon2id(stored)) await verifyPassword(await dummyHash(params), password);
  const ok = (await verifyPassword(stored ?? (await dummyHash(params)), password)) && Boolean(stored);
  return { ok, rehash: ok && needsRehash(stored!, params) ? await hashPassword(password, params) : null };
}

/** Why a customer may not sign in whatever the password (status, hard lock), or null. */
export function refusal(customer: Customer, auth: AuthRuntime): string | null {
  const status = effectiveStatus(customer);
  if (status !== "ACTIVE") return status.toLowerCase();
  return isLocked(customer, auth.config.lockout) ? "locked" : null;
}

import { challengeUsable, countChallengeFailure, findChallenge, spendChallenge } from "../authenticators/challenges.ts";
import { assertOneProof, verifySecondFactor, type SecondFactorProof } from "../authenticators/second-factor.ts";
import { transact } from "../db/transact.ts";
import { AuthenticationError, SignInUnavailableError } from "../errors.ts";
import type { MfaChallenge } from "../generated/prisma/client.ts";
import { lookupGeo } from "../geoip.ts";
import type { AuthRuntime } from "../security/auth-runtime.ts";
import { recordFailure } from "../security/lockout.ts";
import { customerAccount } from "../security/throttle.ts";
import { actingAs, type ServiceContext } from "../service-context.ts";
import { issueAccessToken } from "./access-tokens.ts";
import { lockCustomer } from "./identifier.ts";
import { refusal, startSignedIn, type SignedIn } from "./sign-in.ts";

/**
 * The second step of a sign-in that answered MfaRequired: the challenge and a current TOTP code or
 * an unused recovery code. Succeeds exactly like a password sign-in (startSignedIn: session,
 * refresh token, `customer.signed_in` with amr ["pwd","otp"]); a recovery code is spent and
 * `customer.recovery_code_used` recorded (with how many remain).
 *
 * A dead challenge (unknown, another tenant's, used, expired, 5 wrong codes, older than the current
 * password) answers INVALID_TOKEN: sign in again. A wrong or replayed code answers
 * INVALID_CREDENTIALS and counts like a wrong password — the throttle's waits and the hard lock
 * (`customer.sign_in_mfa_failed`, one more failure on the challenge, in one transaction). A
 * customer blocked, disabled or locked meanwhile answers INVALID_CREDENTIALS too.
 * Cost: limiter round trips, one indexed lookup, one transaction (customer lock, the challenge
 * again, the factors, up to three HMACs each, the sign-in's writes).
 */
export async function completeSignIn(
  ctx: ServiceContext,
  auth: AuthRuntime,
  input: { challenge: string } & SecondFactorProof,
): Promise<SignedIn> {
  if (!auth.keys.masterKey) throw new SignInUnavailableError();
  assertOneProof(input);
  await auth.keys.signer(); // fail before any write if the keys are unusable
  await auth.limits.take(ctx, "completeSignIn", { signInPerIp: ctx.request.ip });
  const found = await findChallenge(ctx.db, ctx, input.challenge);
  if (!found || !challengeUsable(found, null)) throw new AuthenticationError("INVALID_TOKEN");
  const account = customerAccount(found.customerId);
  const wait = await auth.throttle.wait(account, ctx.request.ip);
  if (wait !== null) throw auth.limits.refuse(ctx, "completeSignIn", "throttle", account, wait);
  const geo = await lookupGeo(ctx.request.ip, auth.config.geoip);
  const method = input.code != null ? "totp" : "recovery_code";

  const actorCtx = actingAs(ctx, { kind: "CUSTOMER", id: found.customerId });
  const outcome = await transact(actorCtx, async (tx, audit) => {
    const customer = await lockCustomer(tx, actorCtx, found.customerId);
    const challenge = await tx.mfaChallenge.findUnique({ where: { id: found.id } });
    if (!customer || !challenge || !challengeUsable(challenge, customer.passwordChangedAt)) return "dead" as const;
    const why = refusal(customer, auth);
    if (why) return { failed: why };
    const verified = await verifySecondFactor(tx, auth, customer.id, input);
    if (!verified) return { failed: "wrong_code" };
    const signedIn = await startSignedIn(tx, audit, actorCtx, auth, customer, {
      geo,
      identifierKind: challenge.identifierKind,
      rehash: null,
      amr: ["pwd", "otp"],
      secondFactor: verified,
    });
    await spendChallenge(tx, challenge.id, signedIn.session.id);
    if (verified.method === "recovery_code") {
      await audit({
        type: "customer.recovery_code_used",
        customerId: customer.id,
        data: { remaining: verified.remaining, during: "signIn" },
      });
    }
    return signedIn;
  });
  if (outcome === "dead") throw new AuthenticationError("INVALID_TOKEN");
  if ("failed" in outcome) return refuse(ctx, auth, found, { reason: outcome.failed, method });
  await auth.throttle.succeed(account, ctx.request.ip);
  const access = await issueAccessToken(ctx.db, auth, {
    sub: outcome.customer.id,
    tenant: ctx.tenantId,
    sid: outcome.session.id,
    amr: ["pwd", "otp"],
  });
  return { ...outcome, accessToken: access.token, accessTokenExpiresAt: access.expiresAt };
}

/** A wrong code: one transaction with the challenge's failure count, the lockout counter and `customer.sign_in_mfa_failed`; then the throttle. */
async function refuse(
  ctx: ServiceContext,
  auth: AuthRuntime,
  challenge: MfaChallenge,
  data: { reason: string; method: string },
): Promise<never> {
  await recordFailure(
    ctx,
    auth.config.lockout,
    challenge.customerId,
    { type: "customer.sign_in_mfa_failed", data: { ...data, challengeId: challenge.id } },
    (tx) => countChallengeFailure(tx, challenge.id),
  );
  await auth.throttle.fail(customerAccount(challenge.customerId), ctx.request.ip);
  throw new AuthenticationError("INVALID_CREDENTIALS", "The code is incorrect");
}

import { z } from "zod";
import { LIFETIME_SECONDS } from "../customers/one-time-tokens.ts";
import { findCustomer } from "../customers/lookup.ts";
import { effectiveStatus } from "../customers/status.ts";
import { requireCustomer } from "../db/customer-lock.ts";
import { transact } from "../db/transact.ts";
import { AuthenticationError, RuleViolationError } from "../errors.ts";
import type { Customer } from "../generated/prisma/client.ts";
import { dummyHash, verifyPassword } from "../passwords/hashing.ts";
import type { AuthRuntime } from "../security/auth-runtime.ts";
import { isLocked, recordFailure } from "../security/lockout.ts";
import { customerAccount } from "../security/throttle.ts";
import { newOpaqueToken } from "../security/tokens.ts";
import { answersInput, hashAnswers, storeAnswers, type AnswersInput } from "../security-questions/service.ts";
import { actingAs, type ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";
import { NIL_UUID } from "../ids.ts";
import { identifierAccount, parseIdentifier } from "./identifier.ts";

// The customer's side of security questions: setting their own answers, and account recovery by
// answers (LoginRadius' reset by security answer): X-Tenant + identifier + answers → a
// password-reset token, spent with resetPassword. Guessing answers is guessing a password: the
// attempts share sign-in's rate limits, throttle and hard lock (security/throttle.ts, lockout.ts).

type SignedInContext = ServiceContext & { customerId: string; sessionId: string };

/**
 * Signed-in customer: replaces their answers. With a password set, the current password must
 * come along (a stolen access token alone cannot plant recovery answers): a wrong one counts like
 * a failed sign-in and answers INVALID_CREDENTIALS. Refused under impersonation (INVALID_STATE):
 * support staff do not set a customer's recovery secrets. Records `customer.security_answers_set`.
 * Cost: limiter round trips, one argon2 verification, one argon2 hash per answer, one transaction.
 */
export async function setMySecurityAnswers(
  ctx: SignedInContext,
  auth: AuthRuntime,
  input: { answers: AnswersInput; currentPassword?: string | null },
): Promise<Customer> {
  if (ctx.actor.impersonatorId) throw new RuleViolationError("INVALID_STATE", "an impersonation session cannot set security answers");
  parseInput(answersInput, input.answers, "answers");
  const account = customerAccount(ctx.customerId);
  await auth.limits.take(ctx, "setMySecurityAnswers", { signInPerIp: ctx.request.ip, signInPerAccount: account });
  const wait = await auth.throttle.wait(account, ctx.request.ip);
  if (wait !== null) throw auth.limits.refuse(ctx, "setMySecurityAnswers", "throttle", account, wait);
  const found = await ctx.db.customer.findFirstOrThrow({ where: { id: ctx.customerId, tenantId: ctx.tenantId } });
  if (found.passwordHash !== null && !(await verifyPassword(found.passwordHash, (input.currentPassword ?? "").slice(0, 1024)))) {
    await recordFailure(ctx, auth.config.lockout, ctx.customerId, {
      type: "customer.password_change_failed",
      data: { reason: "wrong_current_password", for: "security_answers" },
    });
    await auth.throttle.fail(account, ctx.request.ip);
    throw new AuthenticationError("INVALID_CREDENTIALS", "The current password is incorrect");
  }
  const hashed = await hashAnswers(input.answers, auth.config.argon2);
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, ctx.customerId);
    await storeAnswers(tx, audit, ctx, customer.id, hashed);
    return customer;
  });
}

const recoverInput = z.object({ identifier: z.string().trim().min(1).max(320), answers: answersInput });

/**
 * Public (X-Tenant): answers → a single-use password-reset token (1 hour), for resetPassword. The
 * answers must cover every question the customer has answered, and each must match. Every
 * failure answers the same INVALID_CREDENTIALS after the same work (one argon2 verification per
 * answer given, against a dummy hash when there is nothing to compare with) and records
 * `customer.security_answers_failed` through the sign-in lock's counter (lockout.ts), with the
 * cause for admins; the throttle and the rate limits are sign-in's. A blocked, disabled or locked
 * customer never gets a token. On success: `token.issued` and `customer.security_answers_verified`.
 */
export async function verifySecurityAnswers(
  ctx: ServiceContext,
  auth: AuthRuntime,
  input: { identifier: string; answers: AnswersInput },
): Promise<{ token: string; expiresAt: Date }> {
  const { identifier, answers } = parseInput(recoverInput, input);
  const { kind, key } = parseIdentifier(identifier);
  const named = identifierAccount(ctx, kind, identifier);
  await auth.limits.take(ctx, "verifySecurityAnswers", { signInPerIp: ctx.request.ip, signInPerAccount: named });
  const found = await findCustomer(ctx, key);
  const account = found ? customerAccount(found.id) : named;
  const wait = await auth.throttle.wait(account, ctx.request.ip);
  if (wait !== null) throw auth.limits.refuse(ctx, "verifySecurityAnswers", "throttle", account, wait);

  // Run with the nil uuid for an unknown identifier: the same statement, finding nothing.
  const stored = await ctx.db.securityAnswer.findMany({ where: { customerId: found?.id ?? NIL_UUID, tenantId: ctx.tenantId } });
  const byQuestion = new Map(stored.map((a) => [a.questionId, a.answerHash]));
  const dummy = await dummyHash(auth.config.argon2);
  const matches = await Promise.all(answers.map((a) => verifyPassword(byQuestion.get(a.questionId) ?? dummy, a.answer)));
  const allMatch = matches.every((m, i) => m && byQuestion.has(answers[i].questionId));
  const reason = !found
    ? "unknown_identifier"
    : effectiveStatus(found) !== "ACTIVE"
      ? effectiveStatus(found).toLowerCase()
      : isLocked(found, auth.config.lockout)
        ? "locked"
        : stored.length === 0
          ? "no_answers"
          : !allMatch || answers.length !== stored.length
            ? "wrong_answers"
            : null;
  if (reason) {
    await recordFailure(ctx, auth.config.lockout, found?.id ?? null, {
      type: "customer.security_answers_failed",
      data: { reason, identifierKind: kind },
    });
    await auth.throttle.fail(account, ctx.request.ip);
    throw new AuthenticationError("INVALID_CREDENTIALS");
  }
  await auth.throttle.succeed(account, ctx.request.ip);
  return issueResetToken(actingAs(ctx, { kind: "CUSTOMER", id: found!.id }), found!.id);
}

/** The reset token of a successful recovery, with its events. Cost: one transaction, one INSERT. */
async function issueResetToken(ctx: ServiceContext, customerId: string) {
  const { token, hash } = newOpaqueToken();
  const expiresAt = new Date(Date.now() + LIFETIME_SECONDS.PASSWORD_RESET * 1000);
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, customerId);
    const row = await tx.oneTimeToken.create({
      data: { tenantId: ctx.tenantId, customerId: customer.id, purpose: "PASSWORD_RESET", tokenHash: hash, expiresAt },
    });
    await audit({ type: "token.issued", customerId: customer.id, data: { tokenId: row.id, purpose: row.purpose, expiresAt } });
    await audit({ type: "customer.security_answers_verified", customerId: customer.id, data: { tokenId: row.id } });
    return { token, expiresAt };
  });
}

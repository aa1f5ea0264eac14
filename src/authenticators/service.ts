import { randomUUID } from "node:crypto";
import { z } from "zod";
import { requireCustomer } from "../db/customer-lock.ts";
import { transact, type AuditWriter, type Tx } from "../db/transact.ts";
import { AuthenticationError, NotFoundError, RuleViolationError, SignInUnavailableError, ValidationError } from "../errors.ts";
import type { TotpFactor } from "../generated/prisma/client.ts";
import { isUuid } from "../ids.ts";
import type { AuthRuntime } from "../security/auth-runtime.ts";
import { recordFailure } from "../security/lockout.ts";
import { customerAccount } from "../security/throttle.ts";
import type { ServiceContext } from "../service-context.ts";
import { parseInput } from "../validation.ts";
import { replaceRecoveryCodes } from "./recovery-codes.ts";
import { assertOneProof, confirmedFactors, verifySecondFactor, type SecondFactorProof, type VerifiedFactor } from "./second-factor.ts";
import { acceptedStep, newTotpSecret, openTotpSecret, sealTotpSecret, totpUri } from "./totp.ts";

// The signed-in customer's own second factors: enroll and confirm a TOTP app, remove one, and
// regenerate recovery codes. Changes to a confirmed setup need a current code or a recovery code,
// so a stolen access token alone cannot switch MFA off; wrong codes count toward the sign-in
// throttle and hard lock exactly like a wrong current password (account/passwords.ts).

type Me = ServiceContext & { customerId: string };

/** At most this many confirmed TOTP factors per customer (a phone and a spare, and some slack). */
export const MAX_TOTP_FACTORS = 5;

const labelInput = z.string().trim().min(1).max(64).default("Authenticator app");

export interface TotpEnrollment {
  factor: TotpFactor;
  /** Base32: typed into an app that cannot scan. Shown only this once. */
  secret: string;
  /** otpauth://totp/<issuer>:<account>?secret=…&issuer=… (render as a QR code). Shown only this once. */
  uri: string;
}

/**
 * Customer: starts enrolling an authenticator app. A pending factor earlier left unconfirmed is
 * replaced. Records `customer.mfa_enrollment_started`. Throws INVALID_STATE at MAX_TOTP_FACTORS.
 * Cost: one transaction — customer lock, tenant read, count, DELETE, INSERT, the audit event.
 */
export async function enrollTotp(ctx: Me, auth: AuthRuntime, label?: string | null): Promise<TotpEnrollment> {
  const masterKey = auth.keys.masterKey;
  if (!masterKey) throw new SignInUnavailableError();
  const name = parseInput(labelInput, label ?? undefined, "label");
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, ctx.customerId);
    if ((await confirmedFactors(tx, customer.id)).length >= MAX_TOTP_FACTORS) {
      throw new RuleViolationError("INVALID_STATE", `at most ${MAX_TOTP_FACTORS} authenticator apps: remove one first`);
    }
    await tx.totpFactor.deleteMany({ where: { customerId: customer.id, confirmedAt: null } });
    const tenant = await tx.tenant.findUniqueOrThrow({ where: { id: ctx.tenantId } });
    const id = randomUUID();
    const secret = newTotpSecret();
    const factor = await tx.totpFactor.create({
      data: { id, tenantId: ctx.tenantId, customerId: customer.id, label: name, secretSealed: sealTotpSecret(masterKey, id, secret) },
    });
    await audit({ type: "customer.mfa_enrollment_started", customerId: customer.id, data: { factorId: id, label: name } });
    const account = customer.primaryEmail ?? customer.username ?? customer.uid;
    return { factor, secret, uri: totpUri(tenant.name, account, secret) };
  });
}

export interface TotpConfirmation {
  factor: TotpFactor;
  /** 10 single-use codes, shown only this once; they replace any earlier ones. */
  recoveryCodes: string[];
}

/**
 * Customer: activates a pending factor with a code from the app (±1 step) and generates fresh
 * recovery codes. AUTHENTICATOR_NOT_FOUND for anyone else's factor, INVALID_STATE for a confirmed
 * one, VALIDATION_FAILED on `code` for a wrong code (nothing written). Records
 * `customer.mfa_enrolled` and `customer.recovery_codes_generated`.
 */
export async function confirmTotp(ctx: Me, auth: AuthRuntime, factorId: string, code: string): Promise<TotpConfirmation> {
  const masterKey = auth.keys.masterKey;
  if (!masterKey) throw new SignInUnavailableError();
  return transact(ctx, async (tx, audit) => {
    const customer = await requireCustomer(tx, ctx, ctx.customerId);
    const factor = await findFactor(tx, ctx, customer.id, factorId);
    if (factor.confirmedAt) throw new RuleViolationError("INVALID_STATE", "this authenticator is confirmed already");
    const step = await acceptedStep(openTotpSecret(masterKey, factor.id, factor.secretSealed), code, null);
    if (step === null)
      throw new ValidationError([{ field: "code", message: "the code is wrong or expired: type the one the app shows now" }]);
    const now = new Date();
    const confirmed = await tx.totpFactor.update({
      where: { id: factor.id },
      data: { confirmedAt: now, lastUsedStep: step, lastUsedAt: now },
    });
    const recoveryCodes = await replaceRecoveryCodes(tx, ctx, customer.id);
    await audit({ type: "customer.mfa_enrolled", customerId: customer.id, data: { factorId: factor.id, label: factor.label } });
    await audit({ type: "customer.recovery_codes_generated", customerId: customer.id, data: { count: recoveryCodes.length } });
    return { factor: confirmed, recoveryCodes };
  });
}

/**
 * Customer: removes one of their authenticator apps, proving a current code (of any confirmed
 * factor) or a recovery code. (A pending factor needs no removal: the next enrollTotp replaces it.)
 * Removing the last confirmed factor
 * deletes the recovery codes too: sign-in is single-factor again. Records `customer.mfa_removed`.
 */
export async function removeOwnTotpFactor(ctx: Me, auth: AuthRuntime, factorId: string, proof: SecondFactorProof): Promise<TotpFactor> {
  return withProof(ctx, auth, "removeMyAuthenticator", proof, async (tx, audit, check) => {
    const factor = await findFactor(tx, ctx, ctx.customerId, factorId);
    const verified = await check();
    if (!verified) return null;
    await deleteFactor(tx, audit, factor, { by: "customer", proof: verified.method });
    return factor;
  });
}

/**
 * Customer: replaces their recovery codes with 10 new ones, proving a current TOTP code or a
 * recovery code. INVALID_STATE without a confirmed factor. Records `customer.recovery_codes_generated`.
 */
export async function regenerateOwnRecoveryCodes(ctx: Me, auth: AuthRuntime, proof: SecondFactorProof): Promise<string[]> {
  return withProof(ctx, auth, "regenerateMyRecoveryCodes", proof, async (tx, audit, check) => {
    if ((await confirmedFactors(tx, ctx.customerId)).length === 0) {
      throw new RuleViolationError("INVALID_STATE", "no authenticator app is confirmed: enroll one first");
    }
    if (!(await check())) return null;
    const codes = await replaceRecoveryCodes(tx, ctx, ctx.customerId);
    await audit({ type: "customer.recovery_codes_generated", customerId: ctx.customerId, data: { count: codes.length } });
    return codes;
  });
}

/**
 * Limits and throttle like a password change, then `work` in one transaction with the customer
 * locked; `work` answers null when the proof failed, which counts as a failed sign-in
 * (`customer.mfa_verification_failed`) and answers INVALID_CREDENTIALS.
 */
async function withProof<T>(
  ctx: Me,
  auth: AuthRuntime,
  field: string,
  proof: SecondFactorProof,
  work: (tx: Tx, audit: AuditWriter, check: () => Promise<VerifiedFactor | null>) => Promise<T | null>,
): Promise<T> {
  assertOneProof(proof);
  const account = customerAccount(ctx.customerId);
  await auth.limits.take(ctx, field, { signInPerIp: ctx.request.ip, signInPerAccount: account });
  const wait = await auth.throttle.wait(account, ctx.request.ip);
  if (wait !== null) throw auth.limits.refuse(ctx, field, "throttle", account, wait);
  const outcome = await transact(ctx, async (tx, audit) => {
    await requireCustomer(tx, ctx, ctx.customerId);
    return work(tx, audit, async () => {
      const verified = await verifySecondFactor(tx, auth, ctx.customerId, proof);
      if (verified?.method === "recovery_code") {
        await audit({
          type: "customer.recovery_code_used",
          customerId: ctx.customerId,
          data: { remaining: verified.remaining, during: field },
        });
      }
      return verified;
    });
  });
  if (outcome === null) {
    const method = proof.code != null ? "totp" : "recovery_code";
    await recordFailure(ctx, auth.config.lockout, ctx.customerId, {
      type: "customer.mfa_verification_failed",
      data: { method, during: field },
    });
    await auth.throttle.fail(account, ctx.request.ip);
    throw new AuthenticationError("INVALID_CREDENTIALS", "The code is incorrect");
  }
  return outcome;
}

/** A TOTP factor of this customer (pending or confirmed), or AUTHENTICATOR_NOT_FOUND. */
export async function findFactor(tx: Tx, ctx: ServiceContext, customerId: string, factorId: string): Promise<TotpFactor> {
  const factor = isUuid(factorId) ? await tx.totpFactor.findFirst({ where: { id: factorId, tenantId: ctx.tenantId, customerId } }) : null;
  if (!factor) throw new NotFoundError("AUTHENTICATOR_NOT_FOUND");
  return factor;
}

/**
 * Deletes a factor in the caller's transaction (customer locked); with the last confirmed one the
 * recovery codes go too. Records `customer.mfa_removed` (by: customer, or admin — the lost-device path).
 */
export async function deleteFactor(
  tx: Tx,
  audit: AuditWriter,
  factor: TotpFactor,
  data: { by: "customer" | "admin"; proof?: string | null },
): Promise<void> {
  await tx.totpFactor.delete({ where: { id: factor.id } });
  const remaining = (await confirmedFactors(tx, factor.customerId)).length;
  const { count } = remaining === 0 ? await tx.recoveryCode.deleteMany({ where: { customerId: factor.customerId } }) : { count: 0 };
  await audit({
    type: "customer.mfa_removed",
    customerId: factor.customerId,
    data: {
      factorId: factor.id,
      label: factor.label,
      confirmed: factor.confirmedAt !== null,
      ...data,
      recoveryCodesDeleted: count,
      mfaEnabled: remaining > 0,
    },
  });
}

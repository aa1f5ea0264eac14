import type { Tx } from "../db/transact.ts";
import { ValidationError } from "../errors.ts";
import type { AuthRuntime } from "../security/auth-runtime.ts";
import { spendRecoveryCode } from "./recovery-codes.ts";
import { acceptedStep, openTotpSecret } from "./totp.ts";

// Checking a second factor: a TOTP code of any of the customer's confirmed factors, or one of their
// unused recovery codes. Used by completeSignIn and by the customer's own factor changes.

/** What proves the second factor: exactly one of a current TOTP code and a recovery code. */
export interface SecondFactorProof {
  code?: string | null;
  recoveryCode?: string | null;
}

export type VerifiedFactor = { method: "totp"; factorId: string } | { method: "recovery_code"; remaining: number };

/** VALIDATION_FAILED unless exactly one of code and recoveryCode is given (and none is over 64 characters). */
export function assertOneProof(proof: SecondFactorProof): void {
  const given = [proof.code, proof.recoveryCode].filter((v) => v != null);
  if (given.length !== 1) throw new ValidationError([{ field: "code", message: "give either code or recoveryCode" }]);
  if (given[0]!.length > 64) throw new ValidationError([{ field: proof.code != null ? "code" : "recoveryCode", message: "too long" }]);
}

/** The customer's confirmed TOTP factors. */
export const confirmedFactors = (tx: Tx, customerId: string) =>
  tx.totpFactor.findMany({ where: { customerId, confirmedAt: { not: null } }, orderBy: { createdAt: "asc" } });

/**
 * In the caller's transaction, with the customer's row locked (so two requests cannot both accept
 * one code): checks the proof. A TOTP code must be valid now (±1 step) and of a later step than the
 * last one that factor accepted (replay), which is then recorded; a recovery code is spent.
 * Returns null when the proof does not check out (nothing written).
 * Cost: one read, up to three HMACs per factor, one UPDATE on success.
 */
export async function verifySecondFactor(
  tx: Tx,
  auth: AuthRuntime,
  customerId: string,
  proof: SecondFactorProof,
): Promise<VerifiedFactor | null> {
  if (proof.recoveryCode != null) {
    const remaining = await spendRecoveryCode(tx, customerId, proof.recoveryCode);
    return remaining === null ? null : { method: "recovery_code", remaining };
  }
  if (!auth.keys.masterKey || proof.code == null) return null;
  for (const factor of await confirmedFactors(tx, customerId)) {
    const secret = openTotpSecret(auth.keys.masterKey, factor.id, factor.secretSealed);
    const step = await acceptedStep(secret, proof.code, factor.lastUsedStep);
    if (step === null) continue;
    await tx.totpFactor.update({ where: { id: factor.id }, data: { lastUsedStep: step, lastUsedAt: new Date() } });
    return { method: "totp", factorId: factor.id };
  }
  return null;
}

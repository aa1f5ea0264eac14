import { randomBytes } from "node:crypto";
import type { Tx } from "../db/transact.ts";
import { hashToken } from "../security/tokens.ts";
import type { ServiceContext } from "../service-context.ts";

// Recovery codes: 10 per customer, each 16 characters of a 32-letter alphabet (80 random bits),
// shown once as xxxx-xxxx-xxxx-xxxx, stored as the SHA-256 of the normalized text. 80 bits leave
// nothing to brute-force offline, so a fast hash is enough (as for opaque tokens, security/tokens.ts).
// Single-use: using one stamps usedAt under the customer's row lock.

export const RECOVERY_CODE_COUNT = 10;

// Crockford's base32 (no i, l, o, u): 32 letters, so each byte's low 5 bits pick one uniformly.
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

function newCode(): string {
  const text = Array.from(randomBytes(16), (b) => ALPHABET[b & 31]).join("");
  return text.match(/.{4}/g)!.join("-");
}

/** What a code is compared as: lower-case, without separators or spaces, the letters Crockford reads as digits (o → 0, i and l → 1). */
export const normalizeRecoveryCode = (code: string) => code.toLowerCase().replace(/[\s-]/g, "").replace(/o/g, "0").replace(/[il]/g, "1");

/** Cheap shape check before any lookup. */
export const looksLikeRecoveryCode = (code: string) => /^[0-9a-hjkmnp-tv-z]{16}$/.test(normalizeRecoveryCode(code));

/**
 * In the caller's transaction (customer locked): deletes the customer's recovery codes and stores
 * 10 new ones; returns them in clear text, the only time they exist. Cost: one DELETE, one INSERT.
 */
export async function replaceRecoveryCodes(tx: Tx, ctx: ServiceContext, customerId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  await tx.recoveryCode.deleteMany({ where: { customerId } });
  await tx.recoveryCode.createMany({
    data: codes.map((code) => ({ tenantId: ctx.tenantId, customerId, codeHash: hashToken(normalizeRecoveryCode(code)) })),
  });
  return codes;
}

/**
 * In the caller's transaction (customer locked): spends one unused recovery code of the customer.
 * Returns how many unused ones remain, or null when `code` is none of them. Cost: one UPDATE (and a count).
 */
export async function spendRecoveryCode(tx: Tx, customerId: string, code: string): Promise<number | null> {
  if (!looksLikeRecoveryCode(code)) return null;
  const { count } = await tx.recoveryCode.updateMany({
    where: { customerId, codeHash: hashToken(normalizeRecoveryCode(code)), usedAt: null },
    data: { usedAt: new Date() },
  });
  if (count === 0) return null;
  return tx.recoveryCode.count({ where: { customerId, usedAt: null } });
}

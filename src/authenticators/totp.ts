import { generateSecret, generateURI, verify } from "otplib";
import { decrypt, encrypt } from "../signing-keys/encryption.ts";

// TOTP (RFC 6238) through otplib 13: SHA-1, 6 digits, 30-second steps — what every authenticator
// app (Google Authenticator, Authy, 1Password, …) reads from an otpauth:// URI. The secret is 20
// random bytes (160 bits, RFC 4226's recommendation), base32 for the app, sealed at rest with the
// master key by the same AES-256-GCM helper as the signing keys and connector secrets, with the
// factor id bound in (a sealed secret copied onto another factor does not open).

export const PERIOD_SECONDS = 30;

/** Accepted clock drift: one step either side (codes from 30 s ago to 30 s ahead). */
const TOLERANCE_SECONDS = PERIOD_SECONDS;

/** A new base32 secret. */
export const newTotpSecret = (): string => generateSecret();

/** The otpauth:// URI an authenticator app scans (as a QR code): issuer = tenant name, label = the customer's account name. */
export const totpUri = (issuer: string, account: string, secret: string): string => generateURI({ issuer, label: account, secret });

export const sealTotpSecret = (masterKey: Buffer, factorId: string, secret: string): string =>
  encrypt(masterKey, Buffer.from(secret, "utf8"), `totp-secret:${factorId}`);

export const openTotpSecret = (masterKey: Buffer, factorId: string, sealed: string): string =>
  decrypt(masterKey, sealed, `totp-secret:${factorId}`).toString("utf8");

/** Cheap shape check before any cryptography: six digits. */
export const looksLikeTotpCode = (code: string) => /^[0-9]{6}$/.test(code);

/**
 * The time step `code` belongs to when it is valid now (±1 step) and newer than `afterStep` (the
 * last step this factor accepted: an older or equal one is a replay), else null.
 * Cost: up to three HMAC-SHA1 (otplib compares in constant time).
 */
export async function acceptedStep(secret: string, code: string, afterStep: number | null): Promise<number | null> {
  if (!looksLikeTotpCode(code)) return null;
  const result = await verify({
    strategy: "totp",
    secret,
    token: code,
    period: PERIOD_SECONDS,
    epochTolerance: TOLERANCE_SECONDS,
    ...(afterStep === null ? {} : { afterTimeStep: afterStep }),
  });
  // The TOTP result carries the matched step (HOTP's would not: the union type says either).
  return result.valid && "timeStep" in result ? result.timeStep : null;
}

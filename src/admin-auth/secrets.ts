import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A new API key id (public) and secret (shown once, stored only as a hash). */
export function generateApiKey(): { keyId: string; secret: string; secretHash: string } {
  const keyId = `ak_${randomBytes(12).toString("hex")}`;
  const secret = `sk_${randomBytes(32).toString("base64url")}`;
  return { keyId, secret, secretHash: hashSecret(secret) };
}

// Secrets carry 256 random bits, so a fast hash is enough: there is nothing to brute-force, and
// a slow hash (argon2) would cost tens of milliseconds on every admin request.
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

const DUMMY_HASH = hashSecret("no such key");

/** Constant-time comparison; `stored` is null for an unknown key so both paths cost the same. */
export function secretMatches(secret: string, stored: string | null): boolean {
  const given = Buffer.from(hashSecret(secret), "hex");
  const expected = Buffer.from(stored ?? DUMMY_HASH, "hex");
  return expected.length === given.length && timingSafeEqual(given, expected) && stored !== null;
}

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

// Opaque tokens (refresh, email verification, password reset) and API secrets carry 256 random
// bits, so a fast hash is enough to store them: there is nothing to brute-force, the database
// never holds a usable token, and a slow hash (argon2) would cost tens of milliseconds on every
// admin request. Lookups go by the hash (unique index).

/** The hex SHA-256 stored instead of a token or secret. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** A new random token (32 bytes, base64url) and the hash to store instead of it. */
export function newOpaqueToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashToken(token) };
}

/** Cheap shape check before any lookup: 43 base64url characters. */
export const looksLikeToken = (token: string) => /^[A-Za-z0-9_-]{43}$/.test(token);

/** A new API key id (public) and secret (shown once, stored only as its hash). */
export function generateApiKey(): { keyId: string; secret: string; secretHash: string } {
  const keyId = `ak_${randomBytes(12).toString("hex")}`;
  const secret = `sk_${randomBytes(32).toString("base64url")}`;
  return { keyId, secret, secretHash: hashToken(secret) };
}

const DUMMY_HASH = hashToken("no such key");

/** Constant-time comparison; `stored` is null for an unknown key so both paths cost the same. */
export function secretMatches(secret: string, stored: string | null): boolean {
  const given = Buffer.from(hashToken(secret), "hex");
  const expected = Buffer.from(stored ?? DUMMY_HASH, "hex");
  return expected.length === given.length && timingSafeEqual(given, expected) && stored !== null;
}

import { createHash, randomBytes } from "node:crypto";

// Opaque tokens (refresh, email verification, password reset) carry 256 random bits, so a fast
// hash is enough to store them: there is nothing to brute-force, and the database never holds a
// usable token. Lookups go by the hash (unique index).

/** A new random token (32 bytes, base64url) and the hex SHA-256 to store instead of it. */
export function newOpaqueToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Cheap shape check before any lookup: 43 base64url characters. */
export const looksLikeToken = (token: string) => /^[A-Za-z0-9_-]{43}$/.test(token);

import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

// AES-256-GCM with a fresh 96-bit IV per message. The key id is bound in as associated data, so a
// ciphertext copied onto another key's row fails to decrypt instead of signing under a wrong kid.

/** Encrypts `plain` under the 32-byte master key; returns base64url(iv ‖ tag ‖ ciphertext). */
export function encrypt(masterKey: Buffer, plain: Buffer, associatedData: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", masterKey, iv);
  cipher.setAAD(Buffer.from(associatedData, "utf8"));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

/** Reverses `encrypt`; throws if the key, the associated data or the ciphertext is wrong. */
export function decrypt(masterKey: Buffer, sealed: string, associatedData: string): Buffer {
  const raw = Buffer.from(sealed, "base64url");
  const decipher = createDecipheriv("aes-256-gcm", masterKey, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(associatedData, "utf8"));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
}

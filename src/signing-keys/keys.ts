import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import type { Db } from "../db/database.ts";
import type { SigningKey } from "../generated/prisma/client.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import { decrypt, encrypt } from "./encryption.ts";

export const ALGORITHM = "EdDSA";

/** A new Ed25519 key pair: the row to store (private key sealed with the master key). */
export function newSigningKey(masterKey: Buffer): Prisma.SigningKeyCreateInput {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const kid = `k_${new Date().toISOString().slice(0, 10).replace(/-/g, "")}_${randomBytes(6).toString("hex")}`;
  const jwk = publicKey.export({ format: "jwk" });
  return {
    kid,
    algorithm: ALGORITHM,
    publicJwk: { ...jwk, kid, alg: ALGORITHM, use: "sig" } as Prisma.InputJsonValue,
    privateKeyEncrypted: encrypt(masterKey, privateKey.export({ format: "der", type: "pkcs8" }), kid),
  };
}

/** The private key of a row; throws when the master key is not the one it was sealed with. */
export function unsealPrivateKey(masterKey: Buffer, key: Pick<SigningKey, "kid" | "privateKeyEncrypted">): KeyObject {
  return createPrivateKey({ key: decrypt(masterKey, key.privateKeyEncrypted, key.kid), format: "der", type: "pkcs8" });
}

/** How long verifiers may cache the JWKS (its Cache-Control max-age). */
export const JWKS_MAX_AGE_SECONDS = 300;
/** How long a gateway trusts its copy of the key list before reading it again. */
export const KEY_CACHE_MS = 60_000;
/**
 * How far in the future a rotated key starts signing. Every node switches keys at the same moment
 * because the switch is a time written in the database (the new key's `activatesAt`, the old one's
 * `retiredAt`), not the moment each node happens to re-read its keys: each re-reads within
 * KEY_CACHE_MS, so all know the coming key before it is due. The new key is in the JWKS from the
 * rotation on, and the delay is longer than the JWKS may be cached (plus a minute for clocks), so
 * a resource server never sees a kid it could not have fetched yet. Rejected alternative: a bus
 * event telling nodes to reload — it needs Redis, and a node that misses it signs with the old key
 * until its next re-read while verifiers may not have the new one. Cost: a rotation takes effect
 * six minutes later (`keys rotate --now` for a compromised key: nodes switch within KEY_CACHE_MS).
 */
export const ACTIVATION_DELAY_MS = JWKS_MAX_AGE_SECONDS * 1000 + 60_000;

// One lock for creating the first key and for rotating, so that nodes starting together and a
// rotation never leave two keys that both think they sign.
const KEYS_LOCK = "SELECT pg_advisory_xact_lock(hashtext('identity-gateway:signing-keys'))";

/**
 * Makes a new key the signing key from `activationDelayMs` on, retiring the current one(s) at that
 * same moment. Retired keys stay in the JWKS and keep verifying until the last access token they
 * signed has expired (`verifyingWhere`). Cost: one short transaction (lock, UPDATE, INSERT).
 */
export async function rotateSigningKey(
  db: Db,
  masterKey: Buffer,
  activationDelayMs = ACTIVATION_DELAY_MS,
): Promise<{ created: SigningKey; retired: string[] }> {
  return db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(KEYS_LOCK);
    const now = new Date();
    const switchAt = new Date(now.getTime() + activationDelayMs);
    const retired = await tx.signingKey.updateManyAndReturn({
      where: { retiredAt: null },
      data: { retiredAt: switchAt },
      select: { kid: true },
    });
    const created = await tx.signingKey.create({ data: { ...newSigningKey(masterKey), createdAt: now, activatesAt: switchAt } });
    return { created, retired: retired.map((k) => k.kid) };
  });
}

/**
 * Creates the first signing key unless one that is not retired exists: at start-up, so the JWKS
 * lists a key before the first sign-in. Nodes starting together queue on the lock; only the first
 * creates. Cost: one short transaction (lock, one indexed read).
 */
export async function ensureSigningKey(db: Db, masterKey: Buffer): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(KEYS_LOCK);
    if (await tx.signingKey.findFirst({ where: { retiredAt: null }, select: { kid: true } })) return;
    await tx.signingKey.create({ data: newSigningKey(masterKey) });
  });
}

/** Whether a key signs at `now`: activated, not yet retired. */
export function signsAt(key: Pick<SigningKey, "activatesAt" | "retiredAt">, now = Date.now()): boolean {
  return key.activatesAt.getTime() <= now && (key.retiredAt === null || key.retiredAt.getTime() > now);
}

/** Keys that may still have live tokens: active, or retired less than one token lifetime ago. */
export function verifyingWhere(accessTokenTtlSeconds: number, now = Date.now()): Prisma.SigningKeyWhereInput {
  // A minute of slack for clocks of other nodes.
  return { OR: [{ retiredAt: null }, { retiredAt: { gt: new Date(now - (accessTokenTtlSeconds + 60) * 1000) } }] };
}

/**
 * Every signing key, newest first, with its state: `signing` (the current key), `signs from <time>`
 * (rotated in, not yet due), `verifying only` (retired, its tokens may still be live) or `expired`. Cost: two indexed reads.
 */
export async function listSigningKeys(db: Db, accessTokenTtlSeconds: number) {
  const verifying = new Set(
    (await db.signingKey.findMany({ where: verifyingWhere(accessTokenTtlSeconds), select: { kid: true } })).map((k) => k.kid),
  );
  const keys = await db.signingKey.findMany({ orderBy: { createdAt: "desc" } });
  const now = Date.now();
  return keys.map((key) => ({
    ...key,
    state: signsAt(key, now)
      ? "signing"
      : key.activatesAt.getTime() > now
        ? `signs from ${key.activatesAt.toISOString()}`
        : verifying.has(key.kid)
          ? "verifying only"
          : "expired",
  }));
}

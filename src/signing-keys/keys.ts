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

/**
 * Makes a new key the signing key and retires the current one(s). Retired keys stay in the JWKS
 * and keep verifying until the last access token they signed has expired (`verifyingWhere`).
 * Cost: one short transaction (one UPDATE, one INSERT). Gateways pick the new key up within their
 * cache period (KEY_CACHE_MS).
 */
export async function rotateSigningKey(db: Db, masterKey: Buffer): Promise<{ created: SigningKey; retired: string[] }> {
  return db.$transaction(async (tx) => {
    const now = new Date();
    const retired = await tx.signingKey.updateManyAndReturn({
      where: { retiredAt: null },
      data: { retiredAt: now },
      select: { kid: true },
    });
    const created = await tx.signingKey.create({ data: { ...newSigningKey(masterKey), createdAt: now } });
    return { created, retired: retired.map((k) => k.kid) };
  });
}

/** Keys that may still have live tokens: active, or retired less than one token lifetime ago. */
export function verifyingWhere(accessTokenTtlSeconds: number, now = Date.now()): Prisma.SigningKeyWhereInput {
  // A minute of slack for clocks of other nodes.
  return { OR: [{ retiredAt: null }, { retiredAt: { gt: new Date(now - (accessTokenTtlSeconds + 60) * 1000) } }] };
}

/**
 * Every signing key, newest first, with its state: `signing` (the current key), `verifying only`
 * (retired, its tokens may still be live) or `expired`. Cost: two indexed reads.
 */
export async function listSigningKeys(db: Db, accessTokenTtlSeconds: number) {
  const verifying = new Set(
    (await db.signingKey.findMany({ where: verifyingWhere(accessTokenTtlSeconds), select: { kid: true } })).map((k) => k.kid),
  );
  const keys = await db.signingKey.findMany({ orderBy: { createdAt: "desc" } });
  return keys.map((key) => ({
    ...key,
    state: key.retiredAt === null ? "signing" : verifying.has(key.kid) ? "verifying only" : "expired",
  }));
}

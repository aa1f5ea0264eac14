import argon2 from "argon2";
import { verifyForeignHash } from "./foreign-hashes.ts";

/** argon2id cost parameters (memory in KiB). */
export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** OWASP's recommended minimum for argon2id: 19 MiB, 2 passes, 1 lane. */
export const OWASP_PARAMS: Argon2Params = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

/**
 * Hashes a password with argon2id into a PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash) that
 * carries its own parameters and a random 16-byte salt. Cost: one argon2 run (≈ 20–40 ms and
 * `memoryCost` KiB of RAM at OWASP parameters), on libuv's thread pool.
 */
export function hashPassword(password: string, params: Argon2Params): Promise<string> {
  return argon2.hash(normalize(password), { type: argon2.argon2id, ...params });
}

/** Whether `hash` is an argon2id hash, ours to keep, rather than one imported from another system. */
export const isArgon2id = (hash: string) => hash.startsWith("$argon2id$");

/**
 * Checks a password against a stored hash, at the parameters the hash names. Our argon2id hashes
 * are of the NFKC-normalised password; any other hash (imported from another system, see
 * foreign-hashes.ts) is of the password as typed. Never throws for a malformed hash: it simply does
 * not match. Cost: one argon2 run, or one run of the foreign algorithm.
 */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (!isArgon2id(hash)) return verifyForeignHash(hash, password);
  try {
    return await argon2.verify(hash, normalize(password));
  } catch {
    return false;
  }
}

/**
 * Whether `hash` should be replaced at the next successful sign-in: it is not argon2id (another
 * algorithm, imported) or was made with other parameters than the configured ones. Pure, no hashing.
 */
export function needsRehash(hash: string, params: Argon2Params): boolean {
  try {
    return !isArgon2id(hash) || argon2.needsRehash(hash, params);
  } catch {
    return true;
  }
}

const dummies = new Map<string, Promise<string>>();

/**
 * A hash of a random password at `params`, made once per parameter set. Verifying against it
 * when a customer is unknown (or has no password) costs exactly what a real verification costs,
 * so response times do not reveal which identifiers exist.
 */
export function dummyHash(params: Argon2Params): Promise<string> {
  const key = `${params.memoryCost}:${params.timeCost}:${params.parallelism}`;
  let hash = dummies.get(key);
  if (!hash) {
    hash = hashPassword(`dummy-${Math.random()}-${Date.now()}`, params);
    dummies.set(key, hash);
  }
  return hash;
}

// NIST 800-63B 5.1.1.2: normalize Unicode before hashing so that the same password typed on
// different keyboards (composed vs decomposed characters) matches. NFKC also folds compatibility
// forms such as full-width digits.
const normalize = (password: string) => password.normalize("NFKC");

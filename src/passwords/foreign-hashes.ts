import { createHash, pbkdf2, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import argon2 from "argon2";
import bcrypt from "bcryptjs";
import { encrypt as shaCrypt } from "unixcrypt";
import { parseParameterised } from "./foreign-formats.ts";
import { isMd5Crypt, isPhpass, md5Crypt, phpassCrypt } from "./legacy-crypt.ts";

// Password hashes imported from another system, verified with the algorithm they came with until
// the customer's first successful sign-in replaces them with argon2id (account/sign-in.ts).
// Self-describing formats are stored as they come; the parameterised ones use the strings of
// foreign-formats.ts. Libraries: argon2 (already ours) for argon2i/d/id, bcryptjs (the maintained
// pure-JS bcrypt, no native build) for bcrypt, unixcrypt (maintained, TypeScript, tested against
// glibc) for sha256/sha512-crypt, node:crypto for the rest, and legacy-crypt.ts for md5-crypt and
// phpass. The password is used as typed (UTF-8, not NFKC-normalised): the other system hashed it
// that way. Every check ends in a constant-time comparison, and nothing here throws for a
// malformed string: it does not match.

const pbkdf2Async = promisify(pbkdf2);

/** bcrypt costs above this are refused: bcryptjs runs on the event loop (cost 12 ≈ 250 ms). */
const BCRYPT_MAX_COST = 14;
/** sha-crypt rounds above this are refused: unixcrypt is synchronous (5,000 is the default). */
const SHA_CRYPT_MAX_ROUNDS = 100_000;

const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
const SHA_CRYPT = /^\$([56])\$(?:rounds=(\d{1,9})\$)?[^$]{0,16}\$[./0-9A-Za-z]+$/;
const DJANGO_PBKDF2 = /^pbkdf2_(sha256|sha1)\$(\d{1,8})\$([^$]*)\$([A-Za-z0-9+/]+={0,2})$/;
const ARGON2 = /^\$(argon2(?:id|i|d))(?:\$v=(?:16|19))?\$m=(\d{1,7}),t=(\d{1,3}),p=(\d{1,2})\$[A-Za-z0-9+/]{11,}\$[A-Za-z0-9+/]{16,}$/;
/** argon2 costs above these are refused: memory is allocated per verification (512 MiB, 20 passes, 16 lanes). */
const ARGON2_MAX = { m: 524_288, t: 20, p: 16 };

interface Verifier {
  algorithm: string;
  /** Whether `password` matches; resolves false for anything it cannot check. */
  verify(password: Buffer): Promise<boolean>;
}

const sameBytes = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);
const sameString = (a: string | null, b: string) => a !== null && sameBytes(Buffer.from(a), Buffer.from(b));

/** A well-formed bcrypt string of a cost from 4 (the minimum) to BCRYPT_MAX_COST. */
function isBcrypt(stored: string): boolean {
  const cost = Number(BCRYPT.exec(stored)?.[1]);
  return cost >= 4 && cost <= BCRYPT_MAX_COST;
}

async function bcryptMatches(stored: string, password: Buffer | string): Promise<boolean> {
  if (!isBcrypt(stored)) return false;
  // bcryptjs treats $2y$ like $2b$ (the same algorithm; only PHP's name differs): hash with the
  // stored setting and compare the whole string ourselves, in constant time.
  const setting = stored.slice(0, 29);
  return sameString(await bcrypt.hash(password.toString(), setting), stored);
}

/** The verifier for a stored hash string, or null when the format is unknown or malformed. */
function verifierFor(stored: string): Verifier | null {
  const argon = ARGON2.exec(stored);
  if (argon && Number(argon[2]) <= ARGON2_MAX.m && Number(argon[3]) <= ARGON2_MAX.t && Number(argon[4]) <= ARGON2_MAX.p)
    return { algorithm: argon[1]!, verify: (pw) => argon2.verify(stored, pw) };
  if (isBcrypt(stored)) return { algorithm: "bcrypt", verify: (pw) => bcryptMatches(stored, pw) };
  if (stored.startsWith("bcrypt_sha256$") && isBcrypt(stored.slice("bcrypt_sha256$".length))) {
    // Django's BCryptSHA256PasswordHasher: bcrypt over the hex SHA-256 of the password, which
    // lifts bcrypt's 72-byte limit.
    const inner = stored.slice("bcrypt_sha256$".length);
    return { algorithm: "django-bcrypt_sha256", verify: (pw) => bcryptMatches(inner, createHash("sha256").update(pw).digest("hex")) };
  }
  const sha = SHA_CRYPT.exec(stored);
  if (sha) {
    if (Number(sha[2] ?? 5000) > SHA_CRYPT_MAX_ROUNDS) return null;
    // unixcrypt takes the setting ($id$[rounds=n$]salt) and the password as a JS string (it hashes
    // its UTF-8 bytes).
    const setting = stored.slice(0, stored.lastIndexOf("$"));
    return {
      algorithm: sha[1] === "5" ? "sha256-crypt" : "sha512-crypt",
      verify: async (pw) => sameString(shaCrypt(pw.toString(), setting), stored),
    };
  }
  if (isMd5Crypt(stored)) return { algorithm: "md5-crypt", verify: async (pw) => sameString(md5Crypt(stored, pw), stored) };
  if (isPhpass(stored)) return { algorithm: "phpass", verify: async (pw) => sameString(phpassCrypt(stored, pw), stored) };
  const django = DJANGO_PBKDF2.exec(stored);
  if (django) {
    // Django: pbkdf2_<digest>$<iterations>$<salt as text>$<base64 key of the digest's length>.
    const [, digest, iterations, salt, hash] = django as unknown as [string, string, string, string, string];
    const expected = Buffer.from(hash, "base64");
    if (Number(iterations) < 1 || Number(iterations) > 10_000_000) return null;
    return {
      algorithm: `django-pbkdf2_${digest}`,
      verify: async (pw) => sameBytes(await pbkdf2Async(pw, salt, Number(iterations), expected.length, digest), expected),
    };
  }
  const parameterised = parseParameterised(stored);
  if (parameterised) {
    const { kind, format, parsed } = parameterised;
    return { algorithm: kind, verify: async (pw) => sameBytes(await format.derive(pw, parsed), parsed.hash) };
  }
  return null;
}

/**
 * The algorithm a stored hash string names ("bcrypt", "argon2i", "md5-crypt", "pbkdf2-sha256",
 * "django-pbkdf2_sha256", …), or null when it is unknown or malformed: what an import checks
 * before accepting a row, and what `customer.password_rehashed` records.
 */
export function hashAlgorithm(stored: string): string | null {
  return verifierFor(stored)?.algorithm ?? null;
}

/**
 * Whether `password` (as typed, not normalised) matches a hash made by another system. Never
 * throws: unknown, malformed or out-of-limits strings do not match. Cost: one run of the named
 * algorithm (microseconds for salted digests and md5-crypt, up to the limits above otherwise).
 */
export async function verifyForeignHash(stored: string, password: string): Promise<boolean> {
  try {
    return (await verifierFor(stored)?.verify(Buffer.from(password, "utf8"))) ?? false;
  } catch {
    return false;
  }
}

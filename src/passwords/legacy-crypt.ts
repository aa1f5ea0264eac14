import { createHash } from "node:crypto";

// md5-crypt ($1$) and phpass ($P$/$H$) have no maintained npm package (the ones that exist are
// unmaintained single-file ports, several with open correctness issues), and both are short,
// fixed published algorithms: Poul-Henning Kamp's FreeBSD md5crypt.c and Solar Designer's
// PasswordHash.php. They are written out here and checked against vectors from independent
// implementations (openssl passwd -1, glibc crypt(3), phpass's own test script). Both are weak
// (fixed or small cost); they only exist so that imported customers can sign in once and be
// rehashed to argon2id.

const ITOA64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

const md5 = (...parts: (Buffer | string)[]) => {
  const h = createHash("md5");
  for (const part of parts) h.update(part);
  return h.digest();
};

/** crypt(3)'s little-endian base-64 of a 24-bit group, `chars` characters long. */
function to64(value: number, chars: number): string {
  let out = "";
  for (let i = 0; i < chars; i++, value >>>= 6) out += ITOA64[value & 0x3f];
  return out;
}

const MD5_CRYPT = /^\$1\$([^$]{0,8})\$([./0-9A-Za-z]{22})$/;

/** A well-formed md5-crypt string. */
export const isMd5Crypt = (stored: string) => MD5_CRYPT.test(stored);

/**
 * The full `$1$salt$hash` string md5-crypt derives from `password` and the salt of `stored`, or
 * null when `stored` is not an md5-crypt string. Cost: 1,002 MD5 runs (microseconds).
 */
export function md5Crypt(stored: string, password: Buffer): string | null {
  const match = MD5_CRYPT.exec(stored);
  if (!match) return null;
  const salt = match[1]!;
  const alternate = md5(password, salt, password);
  const ctx = createHash("md5").update(password).update("$1$").update(salt);
  for (let left = password.length; left > 0; left -= 16) ctx.update(alternate.subarray(0, Math.min(16, left)));
  for (let bits = password.length; bits; bits >>>= 1) ctx.update(bits & 1 ? Buffer.of(0) : password.subarray(0, 1));
  let f = ctx.digest();
  for (let i = 0; i < 1000; i++) {
    const round = createHash("md5");
    round.update(i & 1 ? password : f);
    if (i % 3) round.update(salt);
    if (i % 7) round.update(password);
    round.update(i & 1 ? f : password);
    f = round.digest();
  }
  const groups = [
    [0, 6, 12],
    [1, 7, 13],
    [2, 8, 14],
    [3, 9, 15],
    [4, 10, 5],
  ] as const;
  const body = groups.map(([a, b, c]) => to64((f[a]! << 16) | (f[b]! << 8) | f[c]!, 4)).join("") + to64(f[11]!, 2);
  return `$1$${salt}$${body}`;
}

const PHPASS = /^\$[PH]\$([./0-9A-Za-z])[./0-9A-Za-z]{30}$/;

/** phpass iteration counts above 2^MAX are refused: WordPress and phpBB use 2^8. */
const PHPASS_MAX_LOG2 = 16;

/**
 * The full `$P$`/`$H$` string phpass's portable hash derives from `password` and the setting of
 * `stored` (the two prefixes are the same algorithm: WordPress and phpBB), or null when `stored`
 * is not one or names more than 2^16 iterations. Cost: 2^log2 + 1 MD5 runs.
 */
export function phpassCrypt(stored: string, password: Buffer): string | null {
  const log2 = phpassLog2(stored);
  if (log2 === null) return null;
  let hash = md5(stored.slice(4, 12), password);
  for (let count = 1 << log2; count > 0; count--) hash = md5(hash, password);
  return stored.slice(0, 12) + phpassEncode64(hash);
}

/** A well-formed phpass string within the iteration limit. */
export const isPhpass = (stored: string) => phpassLog2(stored) !== null;

function phpassLog2(stored: string): number | null {
  const match = PHPASS.exec(stored);
  const log2 = match ? ITOA64.indexOf(match[1]!) : -1;
  return log2 >= 7 && log2 <= PHPASS_MAX_LOG2 ? log2 : null;
}

/** phpass's encode64: little-endian 24-bit groups, the last one short. */
function phpassEncode64(input: Buffer): string {
  let out = "";
  for (let i = 0; i < input.length; i += 3) {
    const chunk = input.subarray(i, i + 3);
    const value = chunk[0]! | ((chunk[1] ?? 0) << 8) | ((chunk[2] ?? 0) << 16);
    out += to64(value, chunk.length + 1);
  }
  return out;
}

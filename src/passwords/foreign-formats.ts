import { createCipheriv, createHash, createHmac, pbkdf2, scrypt } from "node:crypto";
import { promisify } from "node:util";
import { ValidationError } from "../errors.ts";

// Hash formats whose parameters live outside the hash in the system they come from (a column of
// iterations, a project-wide signer key, a salt stored next to the digest). An importer turns
// each into one self-contained PHC-style string, built by formatForeignHash, so the customer row
// alone says how to verify: `$<kind>$<name>=<value>,…$<salt>$<hash>` (no salt field for
// hmac-sha256). Bytes are standard base64 without padding, as in PHC strings.
//
//   $scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>                 hash = scrypt(pw, salt, N, r, p)
//   $firebase-scrypt$rounds=<r>,mem=<log2 N>,sep=<b64>,key=<b64>$<salt>$<hash>
//                          hash = AES-256-CTR(key = scrypt(pw, salt‖sep, 2^mem, rounds, 1, 32), iv 0)(key)
//   $pbkdf2-sha1|sha256|sha512$i=<iterations>,l=<key length>$<salt>$<hash>
//   $salted-md5|sha1|sha256|sha512$pos=prefix|suffix$<salt>$<hash>  hash = H(salt‖pw) or H(pw‖salt)
//   $hmac-sha256$key=<b64 key>$<hash>                               hash = HMAC-SHA256(key, pw)
//
// Limits keep one sign-in from tying up the server (a hash string is data an admin imported):
// scrypt at most 2^20 × r 32 × p 16 and 1 GiB, PBKDF2 at most 10 million iterations.

const scryptAsync = promisify(scrypt) as (pw: Buffer, salt: Buffer, len: number, opts: object) => Promise<Buffer>;
const pbkdf2Async = promisify(pbkdf2);

type Params = Record<string, string>;
interface Parsed {
  params: Params;
  salt: Buffer;
  hash: Buffer;
}

interface Format {
  /** Parameter names in their order in the string. */
  names: readonly string[];
  salted: boolean;
  /** Whether the parsed parameters (and salt/hash lengths) are acceptable. */
  valid(p: Parsed): boolean;
  /** The digest `password` yields with these parameters, compared in constant time by the caller. */
  derive(password: Buffer, p: Parsed): Promise<Buffer>;
}

const int = (value: string | undefined, min: number, max: number) =>
  value !== undefined && /^[0-9]{1,10}$/.test(value) && Number(value) >= min && Number(value) <= max;
const b64 = (value: string | undefined) => (value !== undefined && /^[A-Za-z0-9+/]*$/.test(value) ? Buffer.from(value, "base64") : null);

const scryptFormat: Format = {
  names: ["ln", "r", "p"],
  salted: true,
  valid: ({ params, hash }) =>
    int(params.ln, 1, 20) && int(params.r, 1, 32) && int(params.p, 1, 16) && hash.length >= 16 && hash.length <= 128,
  derive: (pw, { params, salt, hash }) => {
    const [N, r, p] = [2 ** Number(params.ln), Number(params.r), Number(params.p)];
    return scryptAsync(pw, salt, hash.length, { N, r, p, maxmem: 256 * N * r * p });
  },
};

const firebaseScrypt: Format = {
  names: ["rounds", "mem", "sep", "key"],
  salted: true,
  valid: ({ params, hash }) =>
    int(params.rounds, 1, 32) &&
    int(params.mem, 1, 20) &&
    b64(params.sep) !== null &&
    (b64(params.key)?.length ?? 0) === hash.length &&
    hash.length > 0,
  derive: async (pw, { params, salt }) => {
    const [N, r] = [2 ** Number(params.mem), Number(params.rounds)];
    const key = await scryptAsync(pw, Buffer.concat([salt, b64(params.sep)!]), 32, { N, r, p: 1, maxmem: 256 * N * r });
    const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
    return Buffer.concat([cipher.update(b64(params.key)!), cipher.final()]);
  },
};

const pbkdf2Format = (digest: string): Format => ({
  names: ["i", "l"],
  salted: true,
  valid: ({ params, hash }) => int(params.i, 1, 10_000_000) && int(params.l, 16, 128) && Number(params.l) === hash.length,
  derive: (pw, { params, salt, hash }) => pbkdf2Async(pw, salt, Number(params.i), hash.length, digest),
});

const saltedDigest = (digest: string, length: number): Format => ({
  names: ["pos"],
  salted: true,
  valid: ({ params, hash }) => (params.pos === "prefix" || params.pos === "suffix") && hash.length === length,
  derive: async (pw, { params, salt }) =>
    createHash(digest)
      .update(params.pos === "prefix" ? Buffer.concat([salt, pw]) : Buffer.concat([pw, salt]))
      .digest(),
});

const hmacSha256: Format = {
  names: ["key"],
  salted: false,
  valid: ({ params, hash }) => (b64(params.key)?.length ?? 0) > 0 && hash.length === 32,
  derive: async (pw, { params }) => createHmac("sha256", b64(params.key)!).update(pw).digest(),
};

/** The parameterised formats, by the kind that names them in the string. */
export const FOREIGN_FORMATS = {
  scrypt: scryptFormat,
  "firebase-scrypt": firebaseScrypt,
  "pbkdf2-sha1": pbkdf2Format("sha1"),
  "pbkdf2-sha256": pbkdf2Format("sha256"),
  "pbkdf2-sha512": pbkdf2Format("sha512"),
  "salted-md5": saltedDigest("md5", 16),
  "salted-sha1": saltedDigest("sha1", 20),
  "salted-sha256": saltedDigest("sha256", 32),
  "salted-sha512": saltedDigest("sha512", 64),
  "hmac-sha256": hmacSha256,
} satisfies Record<string, Format>;

export type ForeignKind = keyof typeof FOREIGN_FORMATS;

const isKind = (kind: string): kind is ForeignKind => Object.hasOwn(FOREIGN_FORMATS, kind);

/** A parameterised hash string split into its format and parts, or null when it is not one or malformed. */
export function parseParameterised(stored: string): { kind: ForeignKind; format: Format; parsed: Parsed } | null {
  const fields = stored.split("$");
  const kind = fields[1] ?? "";
  if (fields[0] !== "" || !isKind(kind)) return null;
  const format: Format = FOREIGN_FORMATS[kind];
  if (fields.length !== (format.salted ? 5 : 4)) return null;
  const pairs = fields[2]!.split(",").map((pair) => pair.split("="));
  if (pairs.length !== format.names.length || pairs.some((pair, i) => pair.length !== 2 || pair[0] !== format.names[i])) return null;
  const salt = format.salted ? b64(fields[3]) : Buffer.alloc(0);
  const hash = b64(fields.at(-1));
  if (!salt || !hash) return null;
  const parsed = { params: Object.fromEntries(pairs) as Params, salt, hash };
  return format.valid(parsed) ? { kind, format, parsed } : null;
}

/** What an importer knows about one parameterised hash; bytes as Buffers. */
export type ForeignHashInput = {
  salt?: Buffer;
  hash: Buffer;
  params: Record<string, string | number | Buffer>;
};

/**
 * Builds the self-contained string for a parameterised hash (see the table at the top of this
 * file), e.g. formatForeignHash("pbkdf2-sha256", { salt, hash, params: { i: 600000, l: 32 } }).
 * Buffer parameters (firebase `sep`/`key`, hmac `key`) are written in base64. Throws
 * VALIDATION_FAILED (field `passwordHash`) when the kind is unknown or the parameters are out of
 * range, so an import can report the row.
 */
export function formatForeignHash(kind: string, input: ForeignHashInput): string {
  const encode = (value: string | number | Buffer) =>
    Buffer.isBuffer(value) ? value.toString("base64").replace(/=+$/, "") : String(value);
  const format: Format | undefined = isKind(kind) ? FOREIGN_FORMATS[kind] : undefined;
  const params = format?.names.map((name) => `${name}=${encode(input.params[name] ?? "")}`).join(",");
  const salt = format?.salted ? [encode(input.salt ?? Buffer.alloc(0))] : [];
  const stored = ["", kind, params, ...salt, encode(input.hash)].join("$");
  if (!format || !parseParameterised(stored)) {
    throw new ValidationError([{ field: "passwordHash", message: `not a valid ${kind} hash or parameters out of range` }]);
  }
  return stored;
}

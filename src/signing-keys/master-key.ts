import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Config } from "../config.ts";

export type MasterKeyResolution = { key: Buffer; source: "config" | "file" | "generated"; path?: string } | { key: null; reason: string };

/**
 * Where the master key (which encrypts the token-signing private keys) comes from:
 *
 * - MASTER_KEY set: that key, on any database.
 * - Unset on PGlite: DATA_DIR/master.key, created on first start with 32 random bytes and mode
 *   0600 (a warning says so). The key then lives next to the data it protects, which is fine for
 *   a single-machine install but means a copy of DATA_DIR is a copy of the key: set MASTER_KEY
 *   from a secret store in production.
 * - Unset with DATABASE_URL: no key. Several nodes share that database, and a key generated on
 *   one node's disk would not be on the others (nor survive redeploys), so the gateway does not
 *   guess: it starts, the admin API works, but customer sign-in and token refresh answer
 *   SIGN_IN_UNAVAILABLE until MASTER_KEY is set. Access tokens already issued keep verifying
 *   (public keys are not encrypted).
 */
export function resolveMasterKey(config: Config): MasterKeyResolution {
  if (config.auth.masterKey) return { key: config.auth.masterKey, source: "config" };
  if (config.database.kind === "postgres") {
    return { key: null, reason: "MASTER_KEY is not set: customer sign-in is disabled (set it to 32 random bytes, base64)" };
  }
  const path = join(config.database.dataDir, "master.key");
  if (existsSync(path)) {
    const key = Buffer.from(readFileSync(path, "utf8").trim(), "base64");
    if (key.length !== 32) throw new Error(`${path} does not hold 32 base64-encoded bytes`);
    return { key, source: "file", path };
  }
  mkdirSync(config.database.dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(path, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(path, 0o600);
  return { key, source: "generated", path };
}

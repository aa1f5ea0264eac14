import { loadConfig } from "../config.ts";
import { ACTIVATION_DELAY_MS, rotateSigningKey, listSigningKeys } from "../signing-keys/keys.ts";
import { resolveMasterKey } from "../signing-keys/master-key.ts";
import { rotateDataKeys } from "../pii/rotation.ts";
import type { CliContext } from "./context.ts";

/**
 * `keys rotate`: a new signing key is published at once and takes over on every gateway at the same
 * moment, ACTIVATION_DELAY_MS later (`--now`: at once; each gateway switches within KEY_CACHE_MS);
 * the old one keeps verifying (and stays in the JWKS) until its last access token has expired.
 * `keys list`: every key, newest first, with its state.
 * `keys rotate-data-keys`: re-wraps the PII data keys under MASTER_KEY (opening them with it or
 * MASTER_KEY_PREVIOUS) and gives every tenant a new data key version (src/pii/rotation.ts).
 */
export async function runKeysCommand(command: string | undefined, ctx: CliContext): Promise<number> {
  const config = loadConfig();
  const db = ctx.database.prisma;
  if (command === "rotate") {
    const master = resolveMasterKey(config);
    if (!master.key) {
      ctx.print(master.reason);
      return 2;
    }
    const { created, retired } = await rotateSigningKey(db, master.key, ctx.options.now === "true" ? 0 : ACTIVATION_DELAY_MS);
    ctx.print(`New signing key ${created.kid}: in the JWKS now, signing on every gateway from ${created.activatesAt.toISOString()}.`);
    if (retired.length)
      ctx.print(`Retired ${retired.join(", ")}: still verifying for ${config.auth.accessTokenTtlSeconds} s (access token lifetime).`);
    return 0;
  }
  if (command === "rotate-data-keys") {
    const master = resolveMasterKey(config);
    if (!master.key) {
      ctx.print(master.reason);
      return 2;
    }
    const done = await rotateDataKeys(db, { current: master.key, previous: config.auth.masterKeyPrevious });
    ctx.print(`Re-wrapped ${done.rewrapped} PII data key(s) under MASTER_KEY; ${done.tenants} tenant(s) got a new data key version.`);
    return 0;
  }
  if (command === "list") {
    for (const key of await listSigningKeys(db, config.auth.accessTokenTtlSeconds)) {
      ctx.print(`${key.kid}  ${key.algorithm}  created ${key.createdAt.toISOString()}  ${key.state}`);
    }
    return 0;
  }
  ctx.print(`Unknown keys command "${command ?? ""}": use rotate, rotate-data-keys or list.`);
  return 2;
}

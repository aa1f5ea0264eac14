import type { AuthConfig } from "../config.ts";
import type { Db } from "../db/database.ts";
import { SigningKeyStore } from "../signing-keys/store.ts";

/** What the customer-auth services need beyond a ServiceContext: settings and signing keys. */
export interface AuthRuntime {
  config: AuthConfig;
  keys: SigningKeyStore;
}

export function createAuthRuntime(db: Db, config: AuthConfig, masterKey: Buffer | null): AuthRuntime {
  return { config, keys: new SigningKeyStore(db, masterKey, config.accessTokenTtlSeconds) };
}

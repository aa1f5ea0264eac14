import type { AuthConfig } from "../config.ts";
import type { Db } from "../db/database.ts";
import type { LimiterFactory } from "./limiters.ts";
import type { RateLimits } from "./rate-limits.ts";
import { SigningKeyStore } from "../signing-keys/store.ts";
import { createSignInThrottle, type SignInThrottle } from "./throttle.ts";

/** What the account services need beyond a ServiceContext: settings, signing keys, limits. */
export interface AuthRuntime {
  config: AuthConfig;
  keys: SigningKeyStore;
  /** Per-IP and per-target budgets of sign-in, password and recovery attempts. */
  limits: RateLimits;
  /** Exponential waits after failed sign-ins and password changes. */
  throttle: SignInThrottle;
}

export function createAuthRuntime(
  db: Db,
  config: AuthConfig,
  masterKey: Buffer | null,
  guards: { limiters: LimiterFactory; limits: RateLimits },
): AuthRuntime {
  return {
    config,
    keys: new SigningKeyStore(db, masterKey, config.accessTokenTtlSeconds),
    limits: guards.limits,
    throttle: createSignInThrottle(guards.limiters, config.throttle),
  };
}

import type { ThrottleConfig } from "../config.ts";
import type { LimiterFactory } from "./limiters.ts";

/**
 * The sign-in throttle: failed attempts cost time instead of the account. Failures are counted
 * per account and per account+IP in the limiter store (Redis across nodes, memory otherwise).
 * After `freeFailuresPerIp` failures from one IP (or `freeFailures` from anywhere) each further
 * failure makes the next attempt wait, doubling from `firstDelaySeconds` up to `maxDelaySeconds`.
 * While a wait runs, attempts are refused (RATE_LIMITED with retryAfter) without touching the
 * password, the customer's status or their sessions. Counters are forgotten
 * `failureResetSeconds` after the first failure, or at a successful sign-in.
 *
 * An "account" is whatever the attempt names: `customer:<id>` for a known customer, the
 * tenant+identifier for an unknown one, so an unknown identifier is throttled exactly like an
 * existing one and the throttle tells nothing about which accounts exist.
 */
export interface SignInThrottle {
  /** Seconds to wait before this account may be tried from this IP, or null. Cost: two store reads. */
  wait(account: string, ip: string | null): Promise<number | null>;
  /** Counts a failure; starts or lengthens the wait once the free failures are used up. */
  fail(account: string, ip: string | null): Promise<void>;
  /** A successful sign-in forgets this account's failures from this IP and from anywhere. */
  succeed(account: string, ip: string | null): Promise<void>;
  /** An admin unblock: forgets the account-wide failures and wait (per-IP waits run out on their own). */
  forget(account: string): Promise<void>;
}

/** The throttle key of a known customer (sign-in, password change and admin unblock share it). */
export const customerAccount = (customerId: string) => `customer:${customerId}`;

export function createSignInThrottle(factory: LimiterFactory, config: ThrottleConfig): SignInThrottle {
  // A counter that never refuses by itself: only its count matters.
  const failures = factory.create({ name: "sign-in-failures", points: Number.MAX_SAFE_INTEGER, duration: config.failureResetSeconds });
  // block() on this one is the running wait.
  const waits = factory.create({ name: "sign-in-wait", points: 1, duration: config.maxDelaySeconds });
  const keys = (account: string, ip: string | null) =>
    [
      [account, config.freeFailures],
      [`${account}|${ip ?? "-"}`, config.freeFailuresPerIp],
    ] as const;
  const delay = (failureCount: number, free: number) =>
    Math.min(config.maxDelaySeconds, config.firstDelaySeconds * 2 ** Math.min(30, failureCount - free - 1));

  return {
    async wait(account, ip) {
      const found = await Promise.all(keys(account, ip).map(([key]) => waits.get(key)));
      const ms = Math.max(0, ...found.map((res) => (res && res.consumedPoints > 1 ? res.msBeforeNext : 0)));
      return ms > 0 ? Math.max(1, Math.ceil(ms / 1000)) : null;
    },
    async fail(account, ip) {
      await Promise.all(
        keys(account, ip).map(async ([key, free]) => {
          const { consumedPoints } = await failures.penalty(key, 1);
          if (consumedPoints > free) await waits.block(key, delay(consumedPoints, free));
        }),
      );
    },
    async succeed(account, ip) {
      await Promise.all(keys(account, ip).flatMap(([key]) => [failures.delete(key), waits.delete(key)]));
    },
    async forget(account) {
      await Promise.all([failures.delete(account), waits.delete(account)]);
    },
  };
}

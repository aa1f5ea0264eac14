import type { RateLimiterAbstract } from "rate-limiter-flexible";
import type { RateLimitConfig } from "../config.ts";
import { RateLimitedError } from "../errors.ts";
import type { ServiceContext } from "../service-context.ts";
import type { SecurityLog } from "./events.ts";
import { consume, type LimiterFactory } from "./limiters.ts";

export type LimitName = keyof RateLimitConfig;

/** Which budget to take a point from, under which key; a null key (no client IP known) is skipped. */
export type LimitChecks = Partial<Record<LimitName, string | null>>;

export interface RateLimits {
  /**
   * Takes `points` from each named budget (all of them, so an attempt counts everywhere even when
   * one budget is already spent). When any is over its limit: records one `rate_limited` security
   * event (a log line; an audit event at most once a window per key) and throws RateLimitedError
   * with the longest wait. Called once per field execution, so aliases and batched operations
   * cannot multiply attempts. Cost: one store round trip per budget (Redis or memory), in parallel.
   */
  take(ctx: ServiceContext, field: string, checks: LimitChecks, points?: number): Promise<void>;
  /** The raw budget, for checks that are not tied to a service context (admin traffic). */
  limiter(name: LimitName): RateLimiterAbstract;
  /** Reports a refusal decided elsewhere (the sign-in throttle) the same way `take` does. */
  refuse(ctx: ServiceContext, field: string, limit: string, key: string, retryAfter: number): RateLimitedError;
}

export function createRateLimits(factory: LimiterFactory, config: RateLimitConfig, security: SecurityLog): RateLimits {
  const limiters = Object.fromEntries(
    Object.entries(config).map(([name, rate]) => [
      name,
      factory.create({ name: `limit-${name}`, points: rate.points, duration: rate.seconds }),
    ]),
  ) as Record<LimitName, RateLimiterAbstract>;

  const refuse: RateLimits["refuse"] = (ctx, field, limit, key, retryAfter) => {
    security.record({
      kind: "rate_limited",
      tenantId: ctx.tenantId,
      // One summarising audit event per window for each limit and key, however long the flood.
      subject: `${limit}:${key}`,
      actor: ctx.actor,
      request: ctx.request,
      data: { field, limit, key, retryAfter },
    });
    return new RateLimitedError(retryAfter);
  };

  return {
    limiter: (name) => limiters[name],
    refuse,
    async take(ctx, field, checks, points = 1) {
      const entries = (Object.entries(checks) as [LimitName, string | null | undefined][]).filter(
        (e): e is [LimitName, string] => typeof e[1] === "string",
      );
      const waits = await Promise.all(entries.map(([name, key]) => consume(limiters[name], key, points)));
      let worst: { name: LimitName; key: string; wait: number } | null = null;
      waits.forEach((wait, i) => {
        if (wait !== null && (!worst || wait > worst.wait)) worst = { name: entries[i][0], key: entries[i][1], wait };
      });
      if (worst) {
        const { name, key, wait } = worst as { name: LimitName; key: string; wait: number };
        throw refuse(ctx, field, name, key, wait);
      }
    },
  };
}

import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";

/** A counter of `points` per `duration` seconds under one key prefix (rate-limiter-flexible). */
export interface LimiterOptions {
  /** Names the counter; keys of different limiters never collide. */
  name: string;
  points: number;
  /** Window in seconds. */
  duration: number;
  /** Once over the limit, refuse for this many seconds (default: until the window ends). */
  blockDuration?: number;
}

/**
 * Makes rate limiters on one store: Redis when REDIS_URL is set, so that a limit holds across
 * every gateway node, process memory otherwise. A Redis limiter falls back to an in-memory twin
 * while Redis is unreachable (rate-limiter-flexible's insurance limiter): limits then hold per
 * node instead of failing open or refusing everyone.
 */
export interface LimiterFactory {
  readonly kind: "redis" | "memory";
  create(options: LimiterOptions): RateLimiterAbstract;
  /** Resolves when the store answers (Redis PING); at once in memory. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const PREFIX = "identity-gateway:rl";

export function createMemoryLimiterFactory(): LimiterFactory {
  return {
    kind: "memory",
    create: (o) => new RateLimiterMemory(memoryOptions(o)),
    ping: async () => undefined,
    close: async () => undefined,
  };
}

export async function createRedisLimiterFactory(url: string): Promise<LimiterFactory> {
  // No offline queue: while Redis is away a consume fails fast and the insurance limiter answers.
  const client = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  await client.connect();
  return {
    kind: "redis",
    create: (o) =>
      new RateLimiterRedis({ ...memoryOptions(o), storeClient: client, insuranceLimiter: new RateLimiterMemory(memoryOptions(o)) }),
    ping: async () => void (await client.ping()),
    close: async () => void client.disconnect(),
  };
}

const memoryOptions = (o: LimiterOptions) => ({
  keyPrefix: `${PREFIX}:${o.name}`,
  points: o.points,
  duration: o.duration,
  blockDuration: o.blockDuration ?? 0,
});

/**
 * Takes `points` from `key`. Answers null when allowed, or the whole seconds to wait (≥ 1) when
 * the key is over its limit. Store errors are rethrown (the insurance limiter already absorbed
 * Redis outages). Cost: one Redis round trip (or a map lookup in memory).
 */
export async function consume(limiter: RateLimiterAbstract, key: string, points = 1): Promise<number | null> {
  try {
    await limiter.consume(key, points);
    return null;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
    throw rejection;
  }
}

import { Redis } from "ioredis";

/**
 * Connects to Redis once, without retries, and disconnects: throws the connection error itself
 * (ECONNREFUSED, ENOTFOUND, a refused AUTH…). Run before the event bus and limiters connect, whose
 * clients retry for ever in the background and report a first failure only as "Connection is closed".
 */
export async function probeRedis(url: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 5000 });
  let failure: unknown = null;
  client.on("error", (error) => (failure ??= error));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw failure ?? error;
  } finally {
    client.disconnect();
  }
}

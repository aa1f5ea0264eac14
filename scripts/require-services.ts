// Fails loudly when the PostgreSQL or Redis that CI's test run depends on is unreachable, so those
// suites can never be skipped silently.
import { Redis } from "ioredis";
import pg from "pg";

const pgUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!pgUrl || !redisUrl) {
  console.error("TEST_DATABASE_URL and REDIS_URL must both be set");
  process.exit(1);
}

const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 5000 });
await client.connect();
const { rows } = await client.query("SELECT version() AS v");
await client.end();
console.log(`PostgreSQL: ${rows[0].v}`);

const redis = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 5000, maxRetriesPerRequest: 1 });
await redis.connect();
console.log(`Redis: ${await redis.ping()}`);
redis.disconnect();

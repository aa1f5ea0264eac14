import { afterAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { createTestDatabase, TEST_DB } from "./helpers/database.ts";
import { createTestGateway, testConfig } from "./helpers/gateway.ts";
import { useTestGateway } from "./helpers/suite.ts";

// /health and /ready over real HTTP, on the vitest project's database (PGlite or PostgreSQL).
// Redis is the machine's (CI's REDIS_URL, else the local default: it runs beside PostgreSQL).
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

const origin = (graphqlUrl: string) => graphqlUrl.replace(/\/graphql$/, "");

async function probe(url: string) {
  const response = await fetch(url);
  return { status: response.status, cacheControl: response.headers.get("cache-control"), body: await response.json() };
}

describe(`/health and /ready on ${TEST_DB}`, () => {
  const gw = useTestGateway({ listen: true });

  it("/health answers 200 while the process runs, uncached", async () => {
    expect(await probe(`${origin(gw.url)}/health`)).toEqual({ status: 200, cacheControl: "no-store", body: { status: "ok" } });
  });

  it("/ready answers 200 with each check when the database is reachable and every migration applied", async () => {
    const { status, cacheControl, body } = await probe(`${origin(gw.url)}/ready`);
    expect({ status, cacheControl, status_: body.status }).toEqual({ status: 200, cacheControl: "no-store", status_: "ready" });
    expect(Object.keys(body.checks).sort()).toEqual(["database", "migrations", "stopping"]);
    for (const check of Object.values(body.checks)) expect(check).toMatchObject({ ok: true, ms: expect.any(Number) });
  });

  it("/ready answers 503 naming the migrations while one is not recorded as finished", async () => {
    const [row] = await gw.db.$queryRawUnsafe<{ migration_name: string }[]>(
      `UPDATE "_prisma_migrations" SET finished_at = NULL
        WHERE migration_name = (SELECT max(migration_name) FROM "_prisma_migrations") RETURNING migration_name`,
    );
    try {
      const { status, body } = await probe(`${origin(gw.url)}/ready`);
      expect(status).toBe(503);
      expect(body.checks.migrations).toEqual({
        ok: false,
        ms: expect.any(Number),
        error: `1 migration(s) not applied, first ${row.migration_name}`,
      });
      expect(body.checks.database.ok).toBe(true);
    } finally {
      await gw.db.$executeRawUnsafe(`UPDATE "_prisma_migrations" SET finished_at = now() WHERE migration_name = $1`, row.migration_name);
    }
    expect((await probe(`${origin(gw.url)}/ready`)).status).toBe(200);
  });

  it("/ready and /health refuse other methods; a POST to /health is not GraphQL", async () => {
    expect((await fetch(`${origin(gw.url)}/ready`, { method: "POST" })).status).toBe(405);
  });
});

describe("/ready when a dependency is down", () => {
  const opened: { stop(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const part of opened) await part.stop();
  });

  it("answers 503 naming the database once the database is closed, and 503 naming the node once it stops", async () => {
    const { database, close } = await createTestDatabase();
    const app = await createApp({ config: testConfig({}), database });
    // Its database is closed below: stopping what still uses it may fail, which is not under test here.
    opened.push({ stop: () => app.stop().catch(() => close()) });
    const url = origin(await app.start());
    expect((await probe(`${url}/ready`)).status).toBe(200);
    await database.close();
    const { status, body } = await probe(`${url}/ready`);
    expect(status).toBe(503);
    expect(body.checks.database).toEqual({ ok: false, ms: expect.any(Number), error: "unreachable" });
    expect(body.checks.stopping.ok).toBe(true);
    expect((await probe(`${url}/health`)).status).toBe(200);
    app.observability.beginStop();
    expect((await probe(`${url}/ready`)).body.checks.stopping).toEqual({
      ok: false,
      ms: expect.any(Number),
      error: "the node is shutting down",
    });
  });

  it("checks Redis when REDIS_URL is set, and answers 503 naming it once its connections are gone", async () => {
    const gw = await createTestGateway({ redisUrl: REDIS_URL });
    opened.push({ stop: () => gw.close() });
    const url = origin(await gw.listen());
    const ready = await probe(`${url}/ready`);
    expect({ status: ready.status, redis: ready.body.checks.redis.ok }).toEqual({ status: 200, redis: true });
    await gw.app.events.close();
    await gw.app.limiters.close();
    const { status, body } = await probe(`${url}/ready`);
    expect(status).toBe(503);
    expect(body.checks.redis).toEqual({ ok: false, ms: expect.any(Number), error: "unreachable" });
    expect(body.checks.database.ok).toBe(true);
  });
});

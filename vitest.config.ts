import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

// graphql 16 ships CommonJS (main) and ESM (module) builds. Node loads the CommonJS one for our
// dependencies (Pothos, yoga); Vite would hand test files the ESM one, and graphql refuses types
// from "another realm". Point everything at the copy Node uses.
const graphqlEntry = createRequire(import.meta.url).resolve("graphql");

// The same suites run against embedded PGlite always, and against a real PostgreSQL server when
// TEST_DATABASE_URL is set (CI sets it and REDIS_URL; see .ci/run).
if (process.env.REQUIRE_SERVICES && !(process.env.TEST_DATABASE_URL && process.env.REDIS_URL)) {
  throw new Error("REQUIRE_SERVICES is set: TEST_DATABASE_URL and REDIS_URL must be too");
}

// `*.postgres.test.ts` files need a real server (several processes on one database): they belong
// to the postgres project only, rather than showing up as skipped in the pglite one.
// `*.browser.test.ts` files drive Chromium against pages that do not depend on the database: run once, on PGlite.
const shared = { include: ["test/**/*.test.ts"], testTimeout: 60_000, hookTimeout: 120_000 };
const project = (name: string, db: string) => ({
  extends: true as const,
  test: {
    ...shared,
    name,
    env: { TEST_DB: db },
    exclude: [db === "postgres" ? "test/**/*.browser.test.ts" : "test/**/*.postgres.test.ts", "**/node_modules/**"],
  },
});

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlEntry }] },
  test: {
    projects: [project("pglite", "pglite"), ...(process.env.TEST_DATABASE_URL ? [project("postgres", "postgres")] : [])],
  },
});

// Migration authoring (`npm run db:migrate:dev`, `npm run prisma6 -- migrate diff …`) runs the
// Prisma 6.19.3 CLI (npm alias prisma-6): its WASM schema engine works through the pg driver
// adapter, so no native engine is downloaded — Prisma 7's CLI can no longer be set up that way.
// Prisma 6 also needs the datasource url that Prisma 7 forbids in the schema, so this file writes
// a copy of prisma/schema.prisma with it (gitignored) and points the CLI there. Three upstream
// adapter bugs are worked around below; see ../shared/ENVIRONMENT.md for how they show up.
import { readFileSync, writeFileSync } from "node:fs";
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma-6/config";
import pg from "pg";

const SCHEMA_COPY = "prisma/.schema-prisma6.prisma";
writeFileSync(
  SCHEMA_COPY,
  readFileSync("prisma/schema.prisma", "utf8").replace(/datasource db \{/, 'datasource db {\n  url = env("DATABASE_URL")'),
);

const DEFAULT_DEV_URL = "postgresql://postgres@127.0.0.1:5432/gateway_dev";
process.env.DATABASE_URL ??= DEFAULT_DEV_URL;
const url = process.env.DATABASE_URL;

// PostgreSQL's internal "char" type (OID 18) shows up in introspection queries; the adapter cannot
// map it, but its values are one-character strings, so reporting it as text (OID 25) is exact.
class CharAsTextClient extends pg.Client {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const patch = (result: pg.QueryResult | undefined) => {
      for (const field of result?.fields ?? []) if (field.dataTypeID === 18) field.dataTypeID = 25;
      return result;
    };
    const callback = args[args.length - 1];
    if (typeof callback === "function") {
      args[args.length - 1] = (err: Error, result: pg.QueryResult) => callback(err, patch(result));
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    return (super.query as (...a: unknown[]) => Promise<pg.QueryResult>)(...args).then(patch);
  }
}

// The CLI never ends its pools; a tiny idle timeout lets the process exit.
const poolConfig = (connectionString: string): pg.PoolConfig => ({
  connectionString,
  idleTimeoutMillis: 50,
  Client: CharAsTextClient,
});

class CliPgAdapter extends PrismaPg {
  constructor() {
    super(poolConfig(url));
  }

  // Upstream builds the shadow pool as {...config, database}, which pg ignores in favour of the
  // connection string, and drops the database while its pool is still open.
  override async connectToShadowDb() {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    const name = `prisma_shadow_${process.pid}_${Date.now()}`;
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const shadowUrl = new URL(url);
    shadowUrl.pathname = `/${name}`;
    const shadow = await new PrismaPg(poolConfig(shadowUrl.toString())).connect();
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      const dropper = new pg.Client({ connectionString: url });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await dropper.end();
    };
    return shadow;
  }
}

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  // Paths here are relative to this file; SCHEMA_COPY above to the repository root (npm runs there).
  schema: ".schema-prisma6.prisma",
  migrations: { path: "migrations" },
  async adapter() {
    return new CliPgAdapter();
  },
});

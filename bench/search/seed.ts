import { readdirSync, readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import type { SqlDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import pg from "pg";
import type { App } from "../../src/app.ts";
import { createCredential } from "../../src/admin-auth/service.ts";
import { fieldTextSql, fieldValueSql } from "../../src/custom-fields/definitions.ts";
import { serviceContext } from "../../src/service-context.ts";
import { createTenant } from "../../src/tenants/service.ts";
import { benchGateway, SERVER_URL, serverQuery } from "../harness.ts";
import { bulkLoad, secondaryIndexes, TABLES } from "./bulk.ts";

// bench:search's database: seeded once, kept between runs (the issue asks for two runs; seeding a
// million customers takes minutes). A marker table holds what was seeded; a run reuses the
// database when the marker matches (seed version, customer count, the migrations applied, and how
// custom fields were defined), else — or with --reseed — drops and seeds it again.

/** Bump when the seed's data changes. */
const SEED_VERSION = 1;
export const BENCH_TENANT = "bench-search";
/** Other tenants with the same emails and phones, so that every query's tenant predicate matters. */
const OTHER_TENANTS = 3;

export interface Field {
  key: string;
  type: string;
  searchable: boolean;
}
/** The five custom fields; the bench filters and sorts on the searchable ones. */
export const FIELDS: Field[] = [
  { key: "plan", type: "STRING", searchable: true },
  { key: "seats", type: "INTEGER", searchable: true },
  { key: "score", type: "DECIMAL", searchable: false },
  { key: "signup", type: "DATE", searchable: false },
  { key: "tags", type: "STRING_LIST", searchable: false },
];

/** Whether the gateway has lane custom-fields' mutation (else the bench builds the same indexes itself). */
export const DEFINES_THROUGH_GRAPHQL = /\bdefineCustomField\(/.test(readFileSync(new URL("../../schema.graphql", import.meta.url), "utf8"));

export interface Seeded {
  app: App;
  url: string;
  tenantId: string;
  headers: Record<string, string>;
  customers: number;
  /** Seeding time of this database (this run's or the run that seeded it), seconds. */
  seedSeconds: number;
  reused: boolean;
}

const migrations = () =>
  readdirSync(new URL("../../prisma/migrations", import.meta.url), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .join(",");

function databaseUrl(name: string) {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

type Admin = (query: string, variables: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** The seeded database for `customers`, reused or made; the gateway open on it, with an admin credential. */
export async function seededDatabase(
  customers: number,
  reseed: boolean,
  post: (app: App, headers: Record<string, string>) => Admin,
  wrap?: (a: SqlDriverAdapterFactory) => SqlDriverAdapterFactory,
): Promise<Seeded> {
  const name = `bench_search_${customers >= 1e6 && customers % 1e6 === 0 ? `${customers / 1e6}m` : customers}`;
  const url = databaseUrl(name);
  const fingerprint = { version: SEED_VERSION, customers, migrations: migrations(), fields: DEFINES_THROUGH_GRAPHQL ? "graphql" : "sql" };
  const marker = reseed ? null : await readMarker(name);
  if (marker && isDeepStrictEqual(marker.fingerprint, fingerprint)) {
    const app = await benchGateway(url, wrap);
    const ctx = serviceContext({ db: app.database.prisma, events: app.events }, marker.tenantId, { kind: "SYSTEM", id: null });
    const { credential, secret } = await createCredential(ctx, {
      name: `bench ${new Date().toISOString()}`,
      scopes: ["CUSTOMERS_READ", "CUSTOMERS_WRITE", "AUDIT_READ", "TENANT_ADMIN"],
    });
    const headers = { "x-api-key": credential.keyId, "x-api-secret": secret };
    return { app, url, tenantId: marker.tenantId, headers, customers, seedSeconds: marker.seconds, reused: true };
  }
  await serverQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await serverQuery(`CREATE DATABASE "${name}"`);
  const started = performance.now();
  const app = await benchGateway(url, wrap);
  const tenants = [];
  for (let t = 0; t <= OTHER_TENANTS; t++) {
    tenants.push(await createTenant(app.database.prisma, app.events, { slug: t === 0 ? BENCH_TENANT : `bench-other-${t}` }));
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SET maintenance_work_mem = '1GB'");
    await client.query("SET synchronous_commit = off");
    // The fields are defined before the load, on the empty tenant: defining one over a key a
    // million customers hold checks every value in one transaction, which outlives the
    // transaction timeout (20 s) here. Their partial indexes are then rebuilt with the others.
    const bench = tenants[0];
    const headers = { "x-api-key": bench.credential.keyId, "x-api-secret": bench.secret };
    const fieldsStarted = performance.now();
    await defineFields(client, post(app, headers), bench.tenant.id);
    console.log(`  custom fields defined (${fingerprint.fields}) in ${((performance.now() - fieldsStarted) / 1000).toFixed(1)} s`);
    const indexes = await secondaryIndexes(client);
    for (const index of indexes) await client.query(`DROP INDEX "${index.name}"`);
    for (const [t, { tenant }] of tenants.entries()) {
      const count = t === 0 ? customers : Math.ceil(customers / 100);
      const steps = await bulkLoad(client, tenant.id, tenant.slug, count);
      console.log(
        `  ${tenant.slug}: ${count} customers — ${Object.entries(steps)
          .map(([k, s]) => `${k} ${s.toFixed(1)} s`)
          .join(", ")}`,
      );
    }
    const indexStarted = performance.now();
    for (const index of indexes) await client.query(index.definition);
    const after = await secondaryIndexes(client);
    if (JSON.stringify(after) !== JSON.stringify(indexes))
      throw new Error("secondary indexes differ from the migrated schema after the load");
    console.log(`  ${indexes.length} secondary indexes rebuilt in ${((performance.now() - indexStarted) / 1000).toFixed(1)} s`);
    // VACUUM too: a table that has just been bulk-loaded has no visibility map (no index-only
    // scans) and no hint bits (the first reads would write them), unlike a live one.
    await client.query(`VACUUM ANALYZE ${TABLES.join(", ")}`);
    const seconds = (performance.now() - started) / 1000;
    await client.query(
      `CREATE TABLE bench_search_seed (fingerprint jsonb NOT NULL, tenant_id uuid NOT NULL, seconds float8 NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())`,
    );
    await client.query(`INSERT INTO bench_search_seed (fingerprint, tenant_id, seconds) VALUES ($1, $2, $3)`, [
      fingerprint,
      bench.tenant.id,
      seconds,
    ]);
    return { app, url, tenantId: bench.tenant.id, headers, customers, seedSeconds: seconds, reused: false };
  } finally {
    await client.end();
  }
}

async function readMarker(name: string): Promise<{ fingerprint: unknown; tenantId: string; seconds: number } | null> {
  const [exists] = await serverQuery<{ n: number }>("SELECT count(*)::int AS n FROM pg_database WHERE datname = $1", [name]);
  if (exists.n === 0) return null;
  const client = new pg.Client({ connectionString: databaseUrl(name) });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT fingerprint, tenant_id AS "tenantId", seconds FROM bench_search_seed WHERE to_regclass('bench_search_seed') IS NOT NULL`,
    );
    return rows[0] ?? null;
  } catch {
    return null; // no marker table: an interrupted seed
  } finally {
    await client.end();
  }
}

const DEFINE = `mutation ($input: DefineCustomFieldInput!) { defineCustomField(input: $input) { __typename ... on Error { code message } } }`;

/**
 * The definitions, through the product's mutation when it exists (it builds the searchable
 * fields' indexes, CONCURRENTLY on PostgreSQL; we wait until they are valid). Without it: the
 * definition rows and the per-tenant partial indexes lane custom-fields builds (btree on the
 * value and id, trigram on a STRING's text), by hand on the same expressions
 * (src/custom-fields/definitions.ts), so the filters' SQL can match them.
 */
async function defineFields(client: pg.Client, admin: Admin, tenantId: string) {
  for (const field of FIELDS) {
    if (DEFINES_THROUGH_GRAPHQL) {
      const data = await admin(DEFINE, { input: field });
      const answer = data.defineCustomField as { __typename: string };
      if (!answer.__typename.endsWith("Payload")) throw new Error(`defineCustomField(${field.key}) answered ${JSON.stringify(answer)}`);
      continue;
    }
    const names = field.searchable
      ? [`bench_cf_${field.key}_idx`, ...(field.type === "STRING" ? [`bench_cf_${field.key}_trgm_idx`] : [])]
      : [];
    await client.query(
      `INSERT INTO custom_field_definition (id, tenant_id, key, type, searchable, index_state, index_names, updated_at)
       VALUES (gen_random_uuid(), $1, $2, $3::"CustomFieldType", $4, $5::"CustomFieldIndexState", $6, now())`,
      [tenantId, field.key, field.type, field.searchable, field.searchable ? "READY" : "NONE", names],
    );
    const where = `WHERE tenant_id = '${tenantId}'`;
    if (names[0]) await client.query(`CREATE INDEX CONCURRENTLY ${names[0]} ON customer (${fieldValueSql(field.key, null)}, id) ${where}`);
    if (names[1])
      await client.query(
        `CREATE INDEX CONCURRENTLY ${names[1]} ON customer USING gin (${fieldTextSql(field.key, null)} gin_trgm_ops) ${where}`,
      );
  }
  // The product may build its indexes in the background: wait until every one is valid.
  for (let i = 0; ; i++) {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = 'customer' AND NOT x.indisvalid`,
    );
    const { rows: defs } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM custom_field_definition WHERE tenant_id = $1 AND searchable AND index_state::text <> 'READY'`,
      [tenantId],
    );
    if (rows[0].n === 0 && defs[0].n === 0) return;
    if (i > 1800) throw new Error("custom-field indexes not ready after 30 minutes");
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

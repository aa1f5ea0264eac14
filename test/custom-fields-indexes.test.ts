import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { fieldTextSql, fieldValueSql } from "../src/custom-fields/definitions.ts";
import { indexName, syncIndexes } from "../src/custom-fields/indexes.ts";
import {
  DefineCustomFieldDocument,
  RestoreCustomFieldDocument,
  RetireCustomFieldDocument,
  UpdateCustomFieldDocument,
  type DefineCustomFieldInput,
} from "./generated/graphql.ts";
import { TEST_DB } from "./helpers/database.ts";
import { rowId } from "./helpers/ids.ts";
import { useTestGateway } from "./helpers/suite.ts";

// Searchable fields get partial indexes on the very expressions filters use (definitions.ts):
// EXPLAIN shows equality, ranges, sorting and contains using them, for this tenant only, and
// unmarking or retiring drops them. 3,000 seeded customers (analyzed) give the planner real
// choices; sequential scans are still switched off, so a plan on a small table shows whether an
// index can serve the query rather than whether reading 3,000 rows happens to be cheaper.

const gw = useTestGateway();
const ids: Record<string, string> = {};
let tenant: string;

async function define(input: DefineCustomFieldInput) {
  const out = (await gw.gql(DefineCustomFieldDocument, { input })).data!.defineCustomField;
  if (out.__typename !== "DefineCustomFieldPayload") throw new Error(JSON.stringify(out));
  ids[input.key] = out.customField.id;
  return out.customField;
}

/** The plan of `sql` (with `params`) with sequential scans (and `off`) switched off, as one text. */
async function plan(sql: string, params: unknown[] = [], off = ["enable_seqscan"]): Promise<string> {
  return gw.db.$transaction(async (tx) => {
    for (const setting of off) await tx.$executeRawUnsafe(`SET LOCAL ${setting} = off`);
    const rows = await tx.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN ${sql}`, ...params);
    return rows.map((r) => r["QUERY PLAN"]).join("\n");
  });
}

const indexesOnCustomer = async () =>
  (await gw.db.$queryRaw<{ indexname: string }[]>`SELECT indexname FROM pg_indexes WHERE tablename = 'customer'`).map((r) => r.indexname);

beforeAll(async () => {
  tenant = gw.tenants.A.id;
  await gw.db.$executeRawUnsafe(`
    INSERT INTO customer (id, tenant_id, uid, custom_fields)
    SELECT gen_random_uuid(), '${tenant}', 'seed-' || i,
      jsonb_build_object('plan', 'plan-' || i, 'score', i, 'tags', jsonb_build_array('t' || (i % 50)))
    FROM generate_series(1, 3000) AS i`);
});

describe("marking a field searchable", () => {
  it("builds a btree (and for strings a trigram) index named from tenant and key, and answers READY", async () => {
    const plan_ = await define({ key: "plan", type: "STRING", searchable: true });
    expect(plan_).toMatchObject({ indexState: "READY", indexNames: [indexName(tenant, "plan", "v"), indexName(tenant, "plan", "t")] });
    const score = await define({ key: "score", type: "INTEGER", searchable: true });
    expect(score).toMatchObject({ indexState: "READY", indexNames: [indexName(tenant, "score", "v")] });
    const tags = await define({ key: "tags", type: "STRING_LIST", searchable: true });
    expect(tags.indexNames).toEqual([indexName(tenant, "tags", "l")]);
    expect(await indexesOnCustomer()).toEqual(expect.arrayContaining([...plan_.indexNames, ...score.indexNames, ...tags.indexNames]));
    expect(indexName(tenant, "k".repeat(64), "v").length).toBeLessThanOrEqual(63);
  });

  it("is used by equality, ranges, sorting and contains on the filters' expressions", async () => {
    await gw.db.$executeRawUnsafe("ANALYZE customer");
    const where = `c.tenant_id = '${tenant}'`;
    const eq = await plan(`SELECT c.id FROM customer c WHERE ${where} AND ${fieldValueSql("plan")} = '"gold"'::jsonb`);
    expect(eq).toContain(indexName(tenant, "plan", "v"));
    const range = await plan(
      `SELECT c.id FROM customer c WHERE ${where} AND ${fieldValueSql("score")} >= '10'::jsonb AND ${fieldValueSql("score")} < '20'::jsonb`,
    );
    expect(range).toContain(indexName(tenant, "score", "v"));
    const sorted = await plan(`SELECT c.id FROM customer c WHERE ${where} ORDER BY ${fieldValueSql("score")} DESC, c.id DESC LIMIT 10`);
    expect(sorted).toContain(indexName(tenant, "score", "v"));
    expect(sorted).not.toMatch(/Sort Key/);
    const contains = await plan(`SELECT c.id FROM customer c WHERE ${where} AND ${fieldTextSql("plan")} ILIKE '%old%'`);
    expect(contains).toContain(indexName(tenant, "plan", "t"));
    const list = await plan(`SELECT c.id FROM customer c WHERE ${where} AND ${fieldValueSql("tags")} @> '["vip"]'::jsonb`);
    expect(list).toContain(indexName(tenant, "tags", "l"));
    // Another tenant's query cannot use this tenant's partial index.
    const other = await plan(
      `SELECT c.id FROM customer c WHERE c.tenant_id = '${gw.tenants.B.id}' AND ${fieldValueSql("plan")} = '"gold"'::jsonb`,
    );
    expect(other).not.toContain(indexName(tenant, "plan", "v"));
  });

  it("matches with the tenant id as a bound parameter (an unnamed statement is planned with its values), not under a generic plan", async () => {
    const sql = `SELECT c.id FROM customer c WHERE c.tenant_id = $1::uuid AND ${fieldValueSql("plan")} = $2::jsonb`;
    expect(await plan(sql, [tenant, '"gold"'])).toContain(indexName(tenant, "plan", "v"));
    if (TEST_DB !== "postgres") return;
    // A prepared statement reused with a generic plan cannot prove the partial predicate.
    const generic = await gw.db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL enable_seqscan = off");
      await tx.$executeRawUnsafe("SET LOCAL plan_cache_mode = force_generic_plan");
      await tx.$executeRawUnsafe(`PREPARE cf_generic(uuid, jsonb) AS ${sql}`);
      const rows = await tx.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(`EXPLAIN EXECUTE cf_generic('${tenant}', '"gold"')`);
      await tx.$executeRawUnsafe("DEALLOCATE cf_generic");
      return rows.map((r) => r["QUERY PLAN"]).join("\n");
    });
    expect(generic).not.toContain(indexName(tenant, "plan", "v"));
  });
});

describe("unmarking, retiring and restoring", () => {
  it("drops the indexes when searchable is turned off, and rebuilds them when turned on again", async () => {
    const off = await gw.gql(UpdateCustomFieldDocument, { id: ids.score, input: { searchable: false } });
    expect(off.data!.updateCustomField).toMatchObject({ customField: { indexState: "NONE", indexNames: [] } });
    expect(await indexesOnCustomer()).not.toContain(indexName(tenant, "score", "v"));
    const where = `c.tenant_id = '${tenant}' AND ${fieldValueSql("score")} = '3'::jsonb`;
    expect(await plan(`SELECT c.id FROM customer c WHERE ${where}`)).not.toContain(indexName(tenant, "score", "v"));
    const on = await gw.gql(UpdateCustomFieldDocument, { id: ids.score, input: { searchable: true } });
    expect(on.data!.updateCustomField).toMatchObject({ customField: { indexState: "READY" } });
    expect(await plan(`SELECT c.id FROM customer c WHERE ${where}`)).toContain(indexName(tenant, "score", "v"));
  });

  it("follows a type change: a string turned ENUM keeps its btree and loses its trigram index", async () => {
    const kind = await define({ key: "kind", type: "STRING", searchable: true });
    expect(kind.indexNames).toHaveLength(2);
    const res = await gw.gql(UpdateCustomFieldDocument, { id: kind.id, input: { type: "ENUM", enumValues: ["a", "b"] } });
    expect(res.data!.updateCustomField).toMatchObject({
      customField: { indexState: "READY", indexNames: [indexName(tenant, "kind", "v")] },
    });
    expect(await indexesOnCustomer()).not.toContain(indexName(tenant, "kind", "t"));
  });

  it("drops them on retire and rebuilds them on restore", async () => {
    const retired = await gw.gql(RetireCustomFieldDocument, { id: ids.plan });
    expect(retired.data!.retireCustomField).toMatchObject({ customField: { indexState: "NONE", indexNames: [] } });
    expect(await indexesOnCustomer()).not.toContain(indexName(tenant, "plan", "t"));
    const restored = await gw.gql(RestoreCustomFieldDocument, { id: ids.plan });
    expect(restored.data!.restoreCustomField).toMatchObject({ customField: { indexState: "READY" } });
    expect(await indexesOnCustomer()).toEqual(expect.arrayContaining([indexName(tenant, "plan", "v"), indexName(tenant, "plan", "t")]));
  });

  it("records FAILED when a build fails, leaving no invalid index behind", async () => {
    // A btree entry is limited to ~2.7 kB; searchable strings are capped below that (the values
    // check refuses turning a field with longer values searchable), so fail the build by hand:
    // a long incompressible value, and the index sync called directly.
    const field = await define({ key: "essay", type: "STRING" });
    await gw.createCustomer({ emails: [{ address: "y@idx.example" }], customFields: { essay: randomBytes(2_000).toString("hex") } });
    const row = await gw.db.customFieldDefinition.findUniqueOrThrow({ where: { id: rowId(field.id) } });
    const synced = await syncIndexes(gw.db, { ...row, searchable: true });
    // The trigram index (GIN has no such limit) was built and is recorded, so unmarking drops it.
    expect(synced).toMatchObject({ indexState: "FAILED", indexNames: [indexName(tenant, "essay", "t")] });
    expect(await indexesOnCustomer()).not.toContain(indexName(tenant, "essay", "v"));
    const refused = await gw.gql(UpdateCustomFieldDocument, { id: field.id, input: { searchable: true } });
    expect(refused.data!.updateCustomField).toMatchObject({ code: "CUSTOM_FIELD_VALUES_INCOMPATIBLE", offenders: 1 });
  });
});

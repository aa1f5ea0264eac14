import { createHash } from "node:crypto";
import type { Db } from "../db/database.ts";
import { isUuid } from "../ids.ts";
import type { CustomFieldDefinition } from "./definitions.ts";
import { fieldTextSql, fieldValueSql } from "./definitions.ts";

// The indexes of searchable fields: partial (one tenant's rows), on exactly the expressions the
// filters compare (definitions.ts), so the planner matches them. Per tenant and field:
//   btree  (custom_fields -> 'key', id)  equality, ranges, and the keyset sort `ORDER BY value, id`
//   gin    (custom_fields ->> 'key') gin_trgm_ops   STRING: contains / startsWith
//   gin    (custom_fields -> 'key') jsonb_path_ops  STRING_LIST: containment (@>) instead of the btree
// Built with CREATE INDEX CONCURRENTLY (PGlite accepts it too, and with its single connection it
// is a plain build), so a live tenant's writes are not blocked while a big table is read.

type Indexed = Pick<CustomFieldDefinition, "tenantId" | "key" | "type" | "searchable" | "retiredAt">;

interface IndexSpec {
  name: string;
  sql: string;
}

/** Deterministic per tenant and key, well under PostgreSQL's 63 characters: cf_<16 hex>_<kind>. */
export function indexName(tenantId: string, key: string, kind: "v" | "t" | "l"): string {
  return `cf_${createHash("sha256").update(`${tenantId}/${key}`).digest("hex").slice(0, 16)}_${kind}`;
}

/** The indexes a definition should have now: none unless searchable and active. */
export function wantedIndexes(def: Indexed): IndexSpec[] {
  if (!def.searchable || def.retiredAt) return [];
  // The tenant id is written as a literal: a partial index's predicate must be a constant.
  if (!isUuid(def.tenantId)) throw new Error("not a tenant id");
  const where = `WHERE tenant_id = '${def.tenantId}'`;
  const on = (kind: "v" | "t" | "l", body: string) => ({
    name: indexName(def.tenantId, def.key, kind),
    sql: `CREATE INDEX CONCURRENTLY IF NOT EXISTS "${indexName(def.tenantId, def.key, kind)}" ON customer ${body} ${where}`,
  });
  if (def.type === "STRING_LIST") return [on("l", `USING gin (${fieldValueSql(def.key, null)} jsonb_path_ops)`)];
  const specs = [on("v", `(${fieldValueSql(def.key, null)}, id)`)];
  if (def.type === "STRING") specs.push(on("t", `USING gin (${fieldTextSql(def.key, null)} gin_trgm_ops)`));
  return specs;
}

/**
 * Whether the recorded indexes differ from the wanted ones (searchable or type changed, retired,
 * restored, a failed or interrupted build): then syncIndexes has work to do.
 */
export function indexesOutOfDate(def: Indexed & { indexNames: string[]; indexState: string }): boolean {
  const wanted = wantedIndexes(def).map((w) => w.name);
  const state = wanted.length > 0 ? "READY" : "NONE";
  return def.indexState !== state || wanted.length !== def.indexNames.length || wanted.some((n) => !def.indexNames.includes(n));
}

/** Valid (usable) and invalid (a build that failed half-way) indexes among `names`. */
async function existing(db: Db, names: string[]): Promise<Map<string, boolean>> {
  if (names.length === 0) return new Map();
  const rows = await db.$queryRaw<{ name: string; valid: boolean }[]>`
    SELECT c.relname AS name, i.indisvalid AS valid FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
    WHERE c.relname = ANY(${names}::text[])`;
  return new Map(rows.map((r) => [r.name, r.valid]));
}

const dropSql = (name: string) => `DROP INDEX CONCURRENTLY IF EXISTS "${name}"`;

/**
 * Brings the definition's indexes in line with it (after its change committed: CONCURRENTLY cannot
 * run in a transaction), and records the outcome: READY with the names built, NONE when none are
 * wanted, FAILED when a build failed (its INVALID leftover is dropped). Idempotent: valid indexes
 * are kept, so running it again (e.g. after a crash left BUILDING) finishes the job; IF NOT EXISTS
 * lets two changes of one field racing here both finish instead of one failing on the name.
 * Cost: each build reads the tenant's customers once; the caller waits for it.
 */
export async function syncIndexes(db: Db, def: Indexed & { id: string; indexNames: string[] }): Promise<CustomFieldDefinition> {
  const wanted = wantedIndexes(def);
  const names = new Set(wanted.map((w) => w.name));
  const found = await existing(db, [...new Set([...def.indexNames, ...names])]);
  for (const name of found.keys()) if (!names.has(name)) await db.$executeRawUnsafe(dropSql(name));
  const built: string[] = [];
  for (const spec of wanted) {
    try {
      if (found.get(spec.name) !== true) {
        if (found.has(spec.name)) await db.$executeRawUnsafe(dropSql(spec.name));
        await db.$executeRawUnsafe(spec.sql);
      }
      built.push(spec.name);
    } catch {
      // The build failed (e.g. cancelled, out of disk): FAILED is the answer admins read, and
      // marking the field searchable again retries. The INVALID leftover would only slow writes.
      await db.$executeRawUnsafe(dropSql(spec.name)).catch(() => undefined);
    }
  }
  const indexState = wanted.length === 0 ? "NONE" : built.length === wanted.length ? "READY" : "FAILED";
  return db.customFieldDefinition.update({ where: { id: def.id }, data: { indexState, indexNames: built } });
}

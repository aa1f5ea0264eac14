import { Prisma } from "../generated/prisma/client.ts";
import { fieldValueSql } from "../custom-fields/definitions.ts";
import { ValidationError } from "../errors.ts";
import { isUuid } from "../ids.ts";
import type { FieldDefinitions } from "./filter-fields.ts";

// The orders a customer list can take, each a keyset over (sort value, id) that one btree walks:
// (tenant_id, created_at, id), (tenant_id, last_login_at, id), (tenant_id, last_name, id),
// (tenant_id, primary_email, id), and a searchable custom field's own index. A cursor carries the
// sort it belongs to, the last row's sort value and id.

export type CustomerSortField = "CREATED_AT" | "LAST_LOGIN_AT" | "LAST_NAME" | "PRIMARY_EMAIL" | "CUSTOM_FIELD";
export type Direction = "ASC" | "DESC";

export interface CustomerOrder {
  field?: CustomerSortField | null;
  /** The key of the custom field when field is CUSTOM_FIELD. */
  customField?: string | null;
  direction?: Direction | null;
}

export interface Sort {
  /** Names the sort in cursors: a cursor of another sort is refused. */
  id: string;
  direction: Direction;
  /** The sort value's SQL on `customer c`. */
  expr: Prisma.Sql;
  /** Whether the value can be NULL: nulls sort last ascending and first descending (as a btree walks). */
  nullable: boolean;
  /** The cursor value as a typed SQL parameter. */
  param(value: unknown): Prisma.Sql;
  /** Whether a decoded cursor value is one this sort writes. */
  accepts(value: unknown): boolean;
}

const isInstant = (v: unknown) => typeof v === "string" && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;
const instant = (v: unknown) => Prisma.sql`${v}::timestamptz`;
const text = (v: unknown) => Prisma.sql`${v}::text`;
const COLUMNS = {
  CREATED_AT: { expr: Prisma.sql`c.created_at`, nullable: false, param: instant, accepts: isInstant },
  LAST_LOGIN_AT: { expr: Prisma.sql`c.last_login_at`, nullable: true, param: instant, accepts: isInstant },
  LAST_NAME: { expr: Prisma.sql`c.last_name`, nullable: true, param: text, accepts: (v: unknown) => typeof v === "string" },
  PRIMARY_EMAIL: { expr: Prisma.sql`c.primary_email`, nullable: true, param: text, accepts: (v: unknown) => typeof v === "string" },
} as const;

/**
 * The sort `order` asks for. A custom field must have an active, searchable definition (an
 * unindexed sort would read every customer of the tenant) and a scalar type. Throws a
 * ValidationError at `orderBy.customField` otherwise.
 */
export function resolveSort(order: CustomerOrder | null | undefined, fields: FieldDefinitions): Sort {
  const field = order?.field ?? "CREATED_AT";
  const direction = order?.direction ?? "DESC";
  if (field !== "CUSTOM_FIELD") {
    if (order?.customField != null) throw new ValidationError([{ field: "orderBy.customField", message: "only with field: CUSTOM_FIELD" }]);
    return { id: field, direction, ...COLUMNS[field] };
  }
  const key = order?.customField;
  const def = key == null ? undefined : fields.active.get(key);
  const why =
    key == null
      ? "give the key of the custom field to sort by"
      : !def
        ? "no active custom field has this key"
        : !def.searchable
          ? "not searchable (no index to sort by)"
          : def.type === "STRING_LIST"
            ? "a list cannot be sorted by"
            : null;
  if (why || !def) throw new ValidationError([{ field: "orderBy.customField", message: why ?? "" }]);
  return {
    id: `CUSTOM_FIELD:${def.key}`,
    direction,
    expr: Prisma.raw(fieldValueSql(def.key)),
    nullable: true,
    param: (v) => Prisma.sql`${JSON.stringify(v)}::jsonb`,
    accepts: (v) => v !== undefined,
  };
}

/** The cursor of a row: which sort, which direction, its sort value (JSON) and id. */
export function encodeCursor(sort: Sort, value: unknown, id: string): string {
  const v = value instanceof Date ? value.toISOString() : value;
  return Buffer.from(JSON.stringify({ s: sort.id, d: sort.direction, v, id })).toString("base64url");
}

function decodeCursor(sort: Sort, cursor: string): { value: unknown; id: string } {
  let parsed: { s?: unknown; d?: unknown; v?: unknown; id?: unknown } | null = null;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    // not ours
  }
  const fail = (message: string) => new ValidationError([{ field: "after", message }]);
  if (!parsed || typeof parsed !== "object" || typeof parsed.id !== "string" || !isUuid(parsed.id) || !("v" in parsed))
    throw fail("not a cursor returned by this query");
  if (parsed.s !== sort.id || parsed.d !== sort.direction) throw fail("a cursor of another sort order: start again without after");
  // Exactly what encodeCursor writes: anything else (a "date" PostgreSQL would refuse) is forged
  // and must not reach the SQL.
  if (parsed.v === null ? !sort.nullable : !sort.accepts(parsed.v)) throw fail("not a cursor returned by this query");
  return { value: parsed.v, id: parsed.id };
}

/**
 * What follows the cursor, as one or two conditions, each of which one index range serves in
 * sort order (an OR of them would not be). Ascending, nulls come last: after a value, the rows
 * after it and then every null; after a null, only later nulls. Descending, nulls come first:
 * after a null, the later nulls and then every value; after a value, only smaller values.
 */
export function afterCursor(sort: Sort, cursor: string): Prisma.Sql[] {
  const { value, id } = decodeCursor(sort, cursor);
  const { expr, direction } = sort;
  const cmp = Prisma.raw(direction === "ASC" ? ">" : "<");
  if (value !== null) {
    const rest = Prisma.sql`(${expr}, c.id) ${cmp} (${sort.param(value)}, ${id}::uuid)`;
    return sort.nullable && direction === "ASC" ? [rest, Prisma.sql`${expr} IS NULL`] : [rest];
  }
  const nulls = Prisma.sql`${expr} IS NULL AND c.id ${cmp} ${id}::uuid`;
  return direction === "DESC" ? [nulls, Prisma.sql`${expr} IS NOT NULL`] : [nulls];
}

/** ORDER BY of the sort (PostgreSQL's default null placement, which the btree gives both ways). */
export const orderBy = (sort: Sort, alias: { value: Prisma.Sql; id: Prisma.Sql } = { value: sort.expr, id: Prisma.sql`c.id` }) =>
  sort.direction === "DESC" ? Prisma.sql`${alias.value} DESC, ${alias.id} DESC` : Prisma.sql`${alias.value} ASC, ${alias.id} ASC`;

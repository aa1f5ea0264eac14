import type { TenantPii } from "../pii/at-rest.ts";
import { Prisma } from "../generated/prisma/client.ts";
import type { CustomFieldType } from "../generated/prisma/enums.ts";
import { activeFieldDefinitions, fieldTextSql, fieldValueSql, type CustomFieldDefinition } from "../custom-fields/definitions.ts";
import { typeSchema } from "../custom-fields/validator.ts";
import type { ValidationIssue } from "../errors.ts";
import type { ServiceContext } from "../service-context.ts";

// Custom-field conditions of the filter language, typed by the tenant's definitions: which
// operators a type allows, what its values must look like, and which SQL each compiles to. The
// key reaches SQL as a literal only through fieldValueSql/fieldTextSql (custom-fields/definitions.ts),
// and only once it matched a definition; values are always parameters, compared as jsonb so
// the per-field indexes (the same expressions) serve them.

/** A JSON object's value as GraphQL's JSONObject scalar hands it over (Pothos types it `{}`). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export type Json = {} | null | undefined;

export interface CustomFieldCondition {
  key: string;
  equals?: unknown;
  in?: unknown[] | null;
  startsWith?: string | null;
  contains?: unknown;
  gt?: unknown;
  gte?: unknown;
  lt?: unknown;
  lte?: unknown;
  exists?: boolean | null;
}

/** The tenant's active definitions, and whether it has any definition at all (retired ones included). */
export interface FieldDefinitions {
  active: Map<string, CustomFieldDefinition>;
  anyDefined: boolean;
}

/** What compiling a filter carries along; every problem is collected before one ValidationError. */
export interface Compilation {
  tenantId: string;
  fields: FieldDefinitions;
  issues: ValidationIssue[];
  conditions: number;
  /** The tenant's PII keys when phones are sealed at rest and the filter has a phone condition (filter-phones.ts). */
  phonePii?: TenantPii | null;
}

/** Values in one `in` list. */
export const MAX_IN_VALUES = 100;

const FALSE = Prisma.sql`FALSE`;

/** Records a problem at `field`; answers a condition that keeps the SQL well-formed meanwhile. */
export function issue(c: Compilation, field: string, message: string): Prisma.Sql {
  c.issues.push({ field, message });
  return FALSE;
}

/**
 * The definitions that `keys` need. Cost: none without keys; else one indexed statement, plus a
 * count when a key has no active definition (is the tenant one that defines its fields at all?).
 */
export async function loadFieldDefinitions(ctx: ServiceContext, keys: string[]): Promise<FieldDefinitions> {
  if (keys.length === 0) return { active: new Map(), anyDefined: false };
  const active = await activeFieldDefinitions(ctx);
  const unknown = keys.some((k) => !active.has(k));
  const anyDefined = active.size > 0 || (unknown && (await ctx.db.customFieldDefinition.count({ where: { tenantId: ctx.tenantId } })) > 0);
  return { active, anyDefined };
}

type Op = "equals" | "in" | "startsWith" | "contains" | "gt" | "gte" | "lt" | "lte" | "exists";
const RANGE = ["gt", "gte", "lt", "lte"] as const;
const OPERATORS: Record<CustomFieldType, Op[]> = {
  STRING: ["equals", "in", "startsWith", "contains", "exists"],
  INTEGER: ["equals", "in", ...RANGE, "exists"],
  DECIMAL: ["equals", "in", ...RANGE, "exists"],
  DATE: ["equals", "in", ...RANGE, "exists"],
  DATETIME: ["equals", "in", ...RANGE, "exists"],
  BOOLEAN: ["equals", "in", "exists"],
  ENUM: ["equals", "in", "exists"],
  STRING_LIST: ["equals", "in", "contains", "exists"],
};
const SIGN = { gt: ">", gte: ">=", lt: "<", lte: "<=" } as const;

/**
 * A value of `type` in the form the write validator stores it (its own typeSchema: DECIMAL a JSON
 * number, DATETIME toISOString, DATE YYYY-MM-DD), so jsonb equality and order agree with what is
 * stored; or undefined with the reason in `why`.
 */
export function normalizeFieldValue(type: CustomFieldType, value: unknown, enumValues: string[]): { value?: unknown; why?: string } {
  const parsed = typeSchema(type, enumValues).safeParse(value);
  return parsed.success ? { value: parsed.data } : { why: parsed.error.issues[0]?.message ?? "a value of the field's type" };
}

const jsonb = (value: unknown) => Prisma.sql`${JSON.stringify(value)}::jsonb`;
/** Containment on the whole column: served by the GIN index customer_custom_fields_idx whatever the key. */
const contains = (key: string, value: unknown) => Prisma.sql`c.custom_fields @> ${JSON.stringify({ [key]: value })}::jsonb`;

/**
 * One condition on a custom field; its operators combine with AND. A key with a definition gets
 * its type's operators; a key without one is an error — except for a tenant that defines no
 * fields at all, whose (untyped) keys keep the equality they always had: jsonb containment.
 */
export function customFieldCondition(c: Compilation, cond: CustomFieldCondition, path: string): Prisma.Sql {
  const given = (Object.keys(OPERATORS_ALL) as Op[]).filter((op) => cond[op] != null);
  if (given.length === 0) return issue(c, path, `give at least one of ${Object.keys(OPERATORS_ALL).join(", ")}`);
  const def = c.fields.active.get(cond.key);
  if (!def) {
    if (c.fields.anyDefined) return issue(c, `${path}.key`, "no active custom field has this key (unknown or retired)");
    if (given.some((op) => op !== "equals"))
      return issue(c, `${path}.${given.find((op) => op !== "equals")}`, "a key without a definition allows only equals");
    return contains(cond.key, cond.equals);
  }
  const value = Prisma.raw(fieldValueSql(def.key));
  const typed = (v: unknown, at: string, type: CustomFieldType = def.type) => {
    const out = normalizeFieldValue(type, v, def.enumValues);
    if (out.why) issue(c, at, `${out.why} (${def.key} is ${def.type})`);
    return out.value;
  };
  // The per-field btree (searchable fields) serves equality on the value expression; without it,
  // containment through the GIN index does, which for a scalar means the same.
  const equal = (v: unknown) =>
    def.type === "STRING_LIST"
      ? Prisma.sql`(${contains(def.key, v)} AND ${value} = ${jsonb(v)})`
      : def.searchable
        ? Prisma.sql`${value} = ${jsonb(v)}`
        : contains(def.key, v);
  const parts: Prisma.Sql[] = [];
  for (const op of given) {
    const at = `${path}.${op}`;
    if (!OPERATORS[def.type].includes(op)) {
      parts.push(issue(c, at, `not an operator of ${def.type} fields (allowed: ${OPERATORS[def.type].join(", ")})`));
      continue;
    }
    if (op === "equals") parts.push(equal(typed(cond.equals, at)));
    else if (op === "in") {
      const list = cond.in!;
      if (list.length === 0 || list.length > MAX_IN_VALUES) parts.push(issue(c, at, `give 1 to ${MAX_IN_VALUES} values`));
      else
        parts.push(
          Prisma.sql`(${Prisma.join(
            list.map((v, i) => equal(typed(v, `${at}.${i}`))),
            " OR ",
          )})`,
        );
    } else if (op === "exists") parts.push(cond.exists ? Prisma.sql`${value} IS NOT NULL` : Prisma.sql`${value} IS NULL`);
    else if (op === "contains" && def.type === "STRING_LIST") {
      // Has the item: the field's own GIN index (searchable) or the whole column's serves it.
      const item = [typed(cond.contains, at, "STRING")];
      parts.push(def.searchable ? Prisma.sql`${value} @> ${jsonb(item)}` : contains(def.key, item));
    } else if (op === "contains" || op === "startsWith") {
      const s = typed(cond[op], at, "STRING") as string;
      parts.push(Prisma.sql`${Prisma.raw(fieldTextSql(def.key))} LIKE ${likePattern(op, s ?? "")}`);
    } else parts.push(Prisma.sql`${value} ${Prisma.raw(SIGN[op])} ${jsonb(typed(cond[op], at))}`);
  }
  return Prisma.join(parts, " AND ");
}

const OPERATORS_ALL: Record<Op, true> = {
  equals: true,
  in: true,
  startsWith: true,
  contains: true,
  gt: true,
  gte: true,
  lt: true,
  lte: true,
  exists: true,
};

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

/** The LIKE pattern of a `contains` or `startsWith` operator: the value's own % and _ match literally. */
export const likePattern = (op: "contains" | "startsWith", s: string) => (op === "contains" ? `%${escapeLike(s)}%` : `${escapeLike(s)}%`);

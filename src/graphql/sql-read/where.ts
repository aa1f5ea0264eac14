import { quote, UnsupportedShape, type SqlModel } from "./model.ts";

// Prisma's where and orderBy objects, as the relatedConnection `query` options and field
// `select`s write them, translated into SQL over one table alias. Only the operators used in
// this schema are translated; anything else throws UnsupportedShape and the request takes the
// normal path.

export interface Params {
  values: unknown[];
  /** A parameter; without a cast PostgreSQL types it from the column it meets (uuid, enum, timestamptz…). */
  add(value: unknown, cast?: string): string;
}

export function params(): Params {
  const values: unknown[] = [];
  return {
    values,
    add(value, cast) {
      values.push(value instanceof Date ? value.toISOString() : value);
      return cast ? `$${values.length}::${cast}` : `$${values.length}`;
    },
  };
}

const CASTS: Record<string, string> = { String: "text", Boolean: "boolean", Int: "int", DateTime: "timestamptz", Float: "float8" };

function castOf(model: SqlModel, field: string): { column: string; cast: string } {
  const column = model.scalars.get(field);
  if (!column) throw new UnsupportedShape(`${model.name}.${field} is not a column`);
  const cast = column.kind === "enum" ? quote(column.type) : CASTS[column.type];
  if (!cast) throw new UnsupportedShape(`${model.name}.${field}: no cast for ${column.type}`);
  return { column: column.column, cast };
}

const OPERATORS: Record<string, string> = { equals: "=", lt: "<", lte: "<=", gt: ">", gte: ">=" };

function condition(model: SqlModel, alias: string, field: string, filter: unknown, p: Params): string {
  const { column, cast } = castOf(model, field);
  const ref = `${alias}.${quote(column)}`;
  if (filter === null) return `${ref} IS NULL`;
  if (typeof filter !== "object" || filter instanceof Date) return `${ref} = ${p.add(filter)}`;
  const parts = Object.entries(filter as Record<string, unknown>).map(([op, value]) => {
    if (op === "not" && value === null) return `${ref} IS NOT NULL`;
    if (op === "not" && (typeof value !== "object" || value instanceof Date)) return `${ref} IS DISTINCT FROM ${p.add(value)}`;
    if (op === "equals" && value === null) return `${ref} IS NULL`;
    if (OPERATORS[op] && value !== null && value !== undefined) return `${ref} ${OPERATORS[op]} ${p.add(value)}`;
    if (op === "in" && Array.isArray(value) && cast !== "text") return `${ref} = ANY(${p.add(value, `${cast}[]`)})`;
    throw new UnsupportedShape(`where operator ${op}`);
  });
  return parts.length ? parts.join(" AND ") : "TRUE";
}

export function whereSql(model: SqlModel, alias: string, where: unknown, p: Params): string {
  if (where === undefined) return "TRUE";
  if (typeof where !== "object" || where === null) throw new UnsupportedShape("where");
  const parts: string[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined) continue;
    if (key === "AND" || key === "OR") {
      const list = (Array.isArray(value) ? value : [value]).map((w) => `(${whereSql(model, alias, w, p)})`);
      parts.push(list.length ? `(${list.join(key === "AND" ? " AND " : " OR ")})` : key === "AND" ? "TRUE" : "FALSE");
    } else if (key === "NOT") {
      const list = (Array.isArray(value) ? value : [value]).map((w) => `NOT (${whereSql(model, alias, w, p)})`);
      parts.push(...list);
    } else {
      parts.push(`(${condition(model, alias, key, value, p)})`);
    }
  }
  return parts.length ? parts.join(" AND ") : "TRUE";
}

export function orderSql(model: SqlModel, alias: string, orderBy: unknown): string {
  if (orderBy === undefined) return "";
  const list = Array.isArray(orderBy) ? orderBy : [orderBy];
  const parts = list.flatMap((entry) =>
    Object.entries(entry as Record<string, unknown>).map(([field, how]) => {
      const { column } = castOf(model, field);
      const spec = typeof how === "string" ? { sort: how } : (how as { sort?: string; nulls?: string });
      if (spec.sort !== "asc" && spec.sort !== "desc") throw new UnsupportedShape(`orderBy ${field}`);
      // Prisma leaves NULLS to PostgreSQL's default unless told: the same here.
      const nulls = spec.nulls === "first" ? " NULLS FIRST" : spec.nulls === "last" ? " NULLS LAST" : "";
      return `${alias}.${quote(column)} ${spec.sort.toUpperCase()}${nulls}`;
    }),
  );
  return parts.length ? ` ORDER BY ${parts.join(", ")}` : "";
}

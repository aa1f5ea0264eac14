import { getArgumentValues } from "graphql";
import { quote, UnsupportedShape, type SqlModel } from "./model.ts";
import type { FieldPlan, ObjectPlan } from "./plan.ts";
import { orderSql, whereSql, type Params } from "./where.ts";

// One SQL statement per root field: PostgreSQL builds each row as JSON with its relations nested
// (json_agg over a LIMITed, ordered subquery per relation, joined on the full foreign key, which
// includes the tenant), so the rows arrive in one value instead of being mapped in JavaScript.

export interface ConnectionQuery {
  where?: unknown;
  orderBy?: unknown;
  take: number;
  cursorKeys: string[];
  /** `after`: Prisma's cursor (the unique key of the row to continue after). */
  after?: Record<string, unknown>;
}

export interface RequestState {
  models: Map<string, SqlModel>;
  ctx: unknown;
  variables: Record<string, unknown>;
  params: Params;
  connections: Map<FieldPlan, ConnectionQuery>;
  aliases: number;
}

export function argsOf(f: { field: { args: readonly unknown[] }; node: unknown }, variables: Record<string, unknown>) {
  return f.field.args.length === 0 ? {} : getArgumentValues(f.field as never, f.node as never, variables);
}

/** The Prisma query Pothos would run for a relatedConnection, taken from the field itself. */
function connectionQuery(f: Extract<FieldPlan, { kind: "connection" }>, req: RequestState): ConnectionQuery {
  const args = argsOf(f, req.variables);
  const selection = () =>
    new Set(f.sub.fields.map((s) => (s.kind === "typename" ? "__typename" : s.kind === "globalId" ? "id" : s.field.name)));
  const built = f.select(args, req.ctx, (q) => ({ ...(q as object), select: {} }), selection) as {
    select: Record<string, { where?: unknown; orderBy?: unknown; take: number; skip?: number; cursor?: unknown; select: object }>;
  };
  if (built === null || typeof built !== "object" || "then" in built) throw new UnsupportedShape("async connection query");
  const q = built.select[f.relation.field];
  if (!q || !(q.take > 0) || (q.cursor === undefined ? q.skip : q.skip !== 1)) throw new UnsupportedShape("backward paging");
  const after = q.cursor as Record<string, unknown> | undefined;
  return { where: q.where, orderBy: q.orderBy, take: q.take, cursorKeys: Object.keys(q.select), after };
}

const jsonOf = (model: SqlModel, alias: string, field: string) => {
  const c = model.scalars.get(field)!;
  const ref = `${alias}.${quote(c.column)}`;
  if (c.type === "Decimal") throw new UnsupportedShape("Decimal");
  // Milliseconds since the epoch: a number makes a Date far faster than an ISO string does.
  if (c.type === "DateTime") return `floor(extract(epoch from ${ref}) * 1000)::float8`;
  return c.type === "BigInt" ? `${ref}::text` : ref;
};

function buildObject(pairs: string[]): string {
  // json_build_object takes at most 100 arguments.
  if (pairs.length > 50) throw new UnsupportedShape("more than 50 keys");
  return `json_build_object(${pairs.join(", ")})`;
}

function allScalars(model: SqlModel, alias: string): string {
  return buildObject([...model.scalars.keys()].map((f) => `'${f}', ${jsonOf(model, alias, f)}`));
}

/** The row of a to-one relation as JSON (null when there is none). */
function relatedRow(parentModel: SqlModel, parent: string, relationName: string, plan: ObjectPlan, req: RequestState): string {
  const relation = parentModel.relations.get(relationName)!;
  const model = req.models.get(relation.model)!;
  const alias = `t${++req.aliases}`;
  const join = relation.join.map((j) => `${alias}.${quote(j.child)} = ${parent}.${quote(j.parent)}`).join(" AND ");
  return `(SELECT ${rowJson(plan, alias, req)} FROM ${quote(model.table)} ${alias} WHERE ${join})`;
}

/** How many rows of a to-many relation match `where` (Pothos counts with the connection's filter). */
function relationCount(parentModel: SqlModel, parent: string, relationName: string, where: unknown, req: RequestState): string {
  const relation = parentModel.relations.get(relationName)!;
  const model = req.models.get(relation.model)!;
  const alias = `t${++req.aliases}`;
  const join = relation.join.map((j) => `${alias}.${quote(j.child)} = ${parent}.${quote(j.parent)}`).join(" AND ");
  return `(SELECT count(*) FROM ${quote(model.table)} ${alias} WHERE ${join} AND ${whereSql(model, alias, where, req.params)})`;
}

/** A to-many relation of the row `parent` as a JSON array, filtered, ordered and limited. */
function relationArray(
  parentModel: SqlModel,
  parent: string,
  relationName: string,
  query: { where?: unknown; orderBy?: unknown; take?: number; after?: Record<string, unknown> },
  row: (model: SqlModel, alias: string) => string,
  req: RequestState,
): string {
  const relation = parentModel.relations.get(relationName)!;
  const model = req.models.get(relation.model)!;
  const alias = `t${++req.aliases}`;
  const join = relation.join.map((j) => `${alias}.${quote(j.child)} = ${parent}.${quote(j.parent)}`).join(" AND ");
  let where = whereSql(model, alias, query.where, req.params);
  if (query.after) where += ` AND ${afterSql(model, alias, join.replaceAll(`${alias}.`, "s."), query, req)}`;
  const order = orderSql(model, alias, query.orderBy);
  const limit = query.take === undefined ? "" : ` LIMIT ${Number(query.take)}`;
  return `(SELECT coalesce(json_agg(${row(model, alias)}${order}), '[]'::json) FROM (SELECT * FROM ${quote(model.table)} ${alias} WHERE ${join} AND ${where}${order}${limit}) ${alias})`;
}

/**
 * Prisma's cursor as SQL: the rows after the cursor row in the connection's order. Only for an
 * order in one direction over non-null columns, where a row-value comparison is exact (the
 * orders here end with the id); anything else takes the normal path.
 */
function afterSql(
  model: SqlModel,
  alias: string,
  join: string,
  query: { orderBy?: unknown; after?: Record<string, unknown> },
  req: RequestState,
) {
  const order = (Array.isArray(query.orderBy) ? query.orderBy : [query.orderBy]).flatMap((o) => Object.entries(o as object));
  const direction = order[0]?.[1];
  if (!order.length || order.some(([f, d]) => d !== direction || typeof d !== "string" || !model.scalars.get(f)?.required)) {
    throw new UnsupportedShape("cursor over this order");
  }
  const columns = order.map(([f]) => quote(model.scalars.get(f)!.column));
  const key = whereSql(model, "s", query.after, req.params);
  const cursorRow = `SELECT ${columns.map((c) => `s.${c}`).join(", ")} FROM ${quote(model.table)} s WHERE ${join} AND ${key}`;
  return `(${columns.map((c) => `${alias}.${c}`).join(", ")}) ${direction === "desc" ? "<" : ">"} (${cursorRow})`;
}

export function rowJson(plan: ObjectPlan, alias: string, req: RequestState): string {
  const model = plan.model!;
  const fields = plan.allScalars ? [...model.scalars.keys()] : [...plan.columns];
  const pairs = fields.map((f) => `'${f}', ${jsonOf(model, alias, f)}`);
  for (const [name, query] of plan.relations) {
    pairs.push(`'${name}', ${relationArray(model, alias, name, query as object, allScalars, req)}`);
  }
  for (const f of plan.fields) {
    if (f.kind === "one") pairs.push(`'@${f.key}', ${relatedRow(model, alias, f.relation.field, f.sub, req)}`);
    if (f.kind !== "connection") continue;
    const q = connectionQuery(f, req);
    req.connections.set(f, q);
    for (const k of q.cursorKeys) f.sub.node!.columns.add(k);
    pairs.push(`'@${f.key}', ${relationArray(model, alias, f.relation.field, q, (_m, a) => rowJson(f.sub.node!, a, req), req)}`);
    if (f.sub.totalCount) pairs.push(`'#${f.key}', ${relationCount(model, alias, f.relation.field, q.where, req)}`);
  }
  return buildObject(pairs);
}

/** The statement for one root: its rows by id ($1, a JSON array), in that order, within the tenant ($2). */
export function rootSql(plan: ObjectPlan, req: RequestState): string {
  const model = plan.model!;
  const idsParam = req.params.add(null, "json");
  const tenant = req.params.add(null, "uuid");
  const id = quote(model.scalars.get(model.idField)!.column);
  const tenantColumn = quote(model.scalars.get("tenantId")!.column);
  return (
    `SELECT coalesce(json_agg(${rowJson(plan, "r", req)} ORDER BY k.n), '[]'::json)::text AS rows ` +
    `FROM json_array_elements_text(${idsParam}) WITH ORDINALITY AS k(id, n) ` +
    `JOIN ${quote(model.table)} r ON r.${id} = k.id::uuid AND r.${tenantColumn} = ${tenant}`
  );
}

import { encodeGlobalID } from "@pothos/plugin-relay";
import { formatPrismaCursor } from "@pothos/plugin-prisma";
import { isLeafType, isListType, isNonNullType, type GraphQLOutputType } from "graphql";
import { UnsupportedShape, type SqlModel } from "./model.ts";
import type { FieldPlan, ObjectPlan } from "./plan.ts";
import { argsOf, type ConnectionQuery, type RequestState } from "./sql.ts";

// The rows from PostgreSQL turned into the response: each field through the same resolver and
// scalar serializer Pothos and graphql-js would use, but without graphql-js's per-field
// machinery (no promises, no info objects, no plugin wrappers: the checks those wrappers make —
// authScopes — are made once per request for the whole plan).

/** A resolver's answer the normal path would turn into an error: let the normal path answer. */
export class Fallback extends Error {}

/** Prisma's JavaScript types for what JSON carried as strings (dates, 64-bit integers). */
function decodeRow(model: SqlModel, row: Record<string, unknown>, models: Map<string, SqlModel>) {
  for (const key in row) {
    const value = row[key];
    if (value === null) continue;
    const column = model.scalars.get(key);
    if (column?.type === "DateTime") row[key] = new Date(value as string);
    else if (column?.type === "BigInt") row[key] = BigInt(value as string);
    else if (!column && Array.isArray(value) && model.relations.has(key)) {
      const child = models.get(model.relations.get(key)!.model)!;
      for (const r of value) decodeRow(child, r, models);
    }
  }
}

/** Decodes a tree of rows as planned: relations a `select` loaded, and connections' nodes. */
export function decodeTree(plan: ObjectPlan, row: Record<string, unknown>, req: RequestState) {
  decodeRow(plan.model!, row, req.models);
  for (const f of plan.fields) {
    if (f.kind !== "connection") continue;
    for (const child of row[`@${f.key}`] as Record<string, unknown>[]) decodeTree(f.sub.node!, child, req);
  }
}

/** Pothos's connection object for a forward page of `take - 1` rows (one extra says "more"). */
export function wrapRows(rows: Record<string, unknown>[], q: ConnectionQuery) {
  const full = rows.length === q.take;
  const nodes = full ? rows.slice(0, -1) : rows;
  const keys = q.cursorKeys.length === 1 ? q.cursorKeys[0] : q.cursorKeys;
  const edges = nodes.map((node) => ({ cursor: formatPrismaCursor(node, keys), node }));
  const pageInfo = {
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges[edges.length - 1]?.cursor ?? null,
    hasPreviousPage: false,
    hasNextPage: full,
  };
  return { edges, pageInfo };
}

export function completeValue(type: GraphQLOutputType, value: unknown, sub: ObjectPlan | undefined, req: RequestState): unknown {
  if (isNonNullType(type)) {
    if (value == null) throw new Fallback("null in a non-null field");
    return completeValue(type.ofType, value, sub, req);
  }
  if (value == null) return null;
  if (typeof (value as { then?: unknown }).then === "function") throw new UnsupportedShape("asynchronous resolver");
  if (isListType(type)) return Array.from(value as Iterable<unknown>, (item) => completeValue(type.ofType, item, sub, req));
  if (isLeafType(type)) return type.serialize(value);
  return completeObject(sub!, value as Record<string, unknown>, req);
}

export function completeObject(plan: ObjectPlan, source: Record<string, unknown>, req: RequestState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of plan.fields) out[f.key] = completeField(f, source, req);
  return out;
}

const NO_INFO = undefined as never;

function completeField(f: FieldPlan, source: Record<string, unknown>, req: RequestState): unknown {
  switch (f.kind) {
    case "typename":
      return f.value;
    case "globalId":
      return encodeGlobalID(f.typeName, String(source[f.column]));
    case "connection": {
      const connection = wrapRows(source[`@${f.key}`] as Record<string, unknown>[], req.connections.get(f)!);
      return completeObject(f.sub, connection, req);
    }
    case "value": {
      const value = f.resolve(source, argsOf(f, req.variables), req.ctx, NO_INFO);
      return completeValue(f.field.type, value, f.sub, req);
    }
  }
}

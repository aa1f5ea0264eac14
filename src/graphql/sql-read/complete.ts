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

/** A resolver returned a promise: this path completes synchronously, so the document is not served. */
export class AsyncResolver extends UnsupportedShape {}

/** A resolver's answer the normal path would turn into an error: let the normal path answer. */
export class Fallback extends Error {}

/** The loaded columns JSON carries as numbers or strings that Prisma would hand out as Date or bigint. */
function decoders(model: SqlModel, fields: Iterable<string>): [string, (v: never) => unknown][] {
  const out: [string, (v: never) => unknown][] = [];
  for (const f of fields) {
    const type = model.scalars.get(f)!.type;
    if (type === "DateTime") out.push([f, (v: number) => new Date(v)]);
    else if (type === "BigInt") out.push([f, (v: string) => BigInt(v)]);
  }
  return out;
}

const decodersOf = new WeakMap<
  ObjectPlan,
  { own: [string, (v: never) => unknown][]; relations: [string, [string, (v: never) => unknown][]][] }
>();

function decodeRow(row: Record<string, unknown>, list: [string, (v: never) => unknown][]) {
  for (const [key, decode] of list) {
    const value = row[key];
    if (value !== null) row[key] = decode(value as never);
  }
}

/** Decodes a tree of rows as planned: relations a `select` loaded, and connections' nodes. */
export function decodeTree(plan: ObjectPlan, row: Record<string, unknown>, req: RequestState) {
  let d = decodersOf.get(plan);
  if (!d) {
    const model = plan.model!;
    const own = decoders(model, plan.allScalars ? model.scalars.keys() : plan.columns);
    const relations = [...plan.relations.keys()].map((name): [string, [string, (v: never) => unknown][]] => {
      const child = req.models.get(model.relations.get(name)!.model)!;
      return [name, decoders(child, child.scalars.keys())];
    });
    decodersOf.set(plan, (d = { own, relations }));
  }
  decodeRow(row, d.own);
  for (const [name, list] of d.relations) for (const r of row[name] as Record<string, unknown>[]) decodeRow(r, list);
  for (const f of plan.fields) {
    if (f.kind === "one" && row[`@${f.key}`]) decodeTree(f.sub, row[`@${f.key}`] as Record<string, unknown>, req);
    if (f.kind !== "connection") continue;
    for (const child of row[`@${f.key}`] as Record<string, unknown>[]) decodeTree(f.sub.node!, child, req);
  }
}

/** Pothos's connection object for a forward page of `take - 1` rows (one extra says "more"). */
export function wrapRows(rows: Record<string, unknown>[], q: ConnectionQuery, totalCount?: unknown) {
  const full = rows.length === q.take;
  const nodes = full ? rows.slice(0, -1) : rows;
  const keys = q.cursorKeys.length === 1 ? q.cursorKeys[0] : q.cursorKeys;
  const edges = nodes.map((node) => ({ cursor: formatPrismaCursor(node, keys), node }));
  const pageInfo = {
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges[edges.length - 1]?.cursor ?? null,
    hasPreviousPage: q.after !== undefined,
    hasNextPage: full,
  };
  return { edges, pageInfo, totalCount };
}

type Completer = (value: unknown, req: RequestState) => unknown;

/** A value's completion for its GraphQL type, built once per field (no type tests per value). */
export function completer(type: GraphQLOutputType, sub: ObjectPlan | undefined): Completer {
  if (isNonNullType(type)) {
    const inner = completer(type.ofType, sub);
    return (value, req) => {
      if (value == null) throw new Fallback("null in a non-null field");
      return inner(value, req);
    };
  }
  if (isListType(type)) {
    const inner = completer(type.ofType, sub);
    return (value, req) => (value == null ? null : Array.from(value as Iterable<unknown>, (item) => inner(item, req)));
  }
  if (isLeafType(type)) return (value) => (value == null ? null : type.serialize(value));
  return (value, req) => (value == null ? null : completeObject(sub!, value as Record<string, unknown>, req));
}

const completers = new WeakMap<object, Completer>();

export function completeValue(type: GraphQLOutputType, value: unknown, sub: ObjectPlan | undefined, req: RequestState): unknown {
  return completer(type, sub)(value, req);
}

export function completeObject(plan: ObjectPlan, source: Record<string, unknown>, req: RequestState): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of plan.fields) out[f.key] = completeField(f, source, req);
  return out;
}

const NO_INFO = undefined as never;
const NO_ARGS = Object.freeze({});

function completeField(f: FieldPlan, source: Record<string, unknown>, req: RequestState): unknown {
  switch (f.kind) {
    case "typename":
      return f.value;
    case "globalId":
      return encodeGlobalID(f.typeName, String(source[f.column]));
    case "connection": {
      const connection = wrapRows(source[`@${f.key}`] as Record<string, unknown>[], req.connections.get(f)!, source[`#${f.key}`]);
      return completeObject(f.sub, connection, req);
    }
    case "one": {
      let complete = completers.get(f);
      if (!complete) completers.set(f, (complete = completer(f.field.type, f.sub)));
      return complete(source[`@${f.key}`], req);
    }
    case "value": {
      const value = f.resolve(source, f.field.args.length ? argsOf(f, req.variables) : NO_ARGS, req.ctx, NO_INFO);
      if (value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function") {
        // Dropped: the normal path runs the resolver again and reports its failure; unobserved, a rejection would crash the process.
        Promise.resolve(value).catch(() => {});
        throw new AsyncResolver(`${f.field.name}: asynchronous resolver`);
      }
      let complete = completers.get(f);
      if (!complete) completers.set(f, (complete = completer(f.field.type, f.sub)));
      return complete(value, req);
    }
  }
}

import { getDatamodel } from "../../generated/pothos-prisma-types.ts";

// The Prisma model as SQL sees it: table and column names, scalar types, and how a to-many
// relation joins its parent. Built from Pothos's datamodel (relations) and the Prisma client's
// runtime datamodel (database names), once per client.

export interface Column {
  field: string;
  column: string;
  type: string;
  kind: string;
  required: boolean;
}

export interface Relation {
  field: string;
  model: string;
  /** related row's column = this row's column, for each pair of the foreign key. */
  join: { child: string; parent: string }[];
  /** A to-one relation (this row holds the key); otherwise to-many (the related rows hold it). */
  toOne?: boolean;
}

export interface SqlModel {
  name: string;
  table: string;
  scalars: Map<string, Column>;
  relations: Map<string, Relation>;
  idField: string;
}

interface RuntimeField {
  name: string;
  kind: string;
  type: string;
  dbName?: string | null;
}
interface RuntimeModel {
  dbName?: string | null;
  fields: RuntimeField[];
}

/** The runtime datamodel Prisma's client carries (the only place it keeps database names). */
export type RuntimeDatamodel = { models: Record<string, RuntimeModel> };

export class UnsupportedShape extends Error {}

export function loadModels(runtime: RuntimeDatamodel): Map<string, SqlModel> {
  const pothos = getDatamodel().datamodel.models;
  const models = new Map<string, SqlModel>();
  for (const [name, model] of Object.entries(runtime.models)) {
    const scalars = new Map<string, Column>();
    const required = new Set(pothos[name]?.fields.filter((f) => f.isRequired).map((f) => f.name));
    for (const f of model.fields) {
      if (f.kind === "object") continue;
      scalars.set(f.name, { field: f.name, column: f.dbName ?? f.name, type: f.type, kind: f.kind, required: required.has(f.name) });
    }
    const idField = pothos[name]?.fields.find((f) => f.isId)?.name ?? "id";
    models.set(name, { name, table: model.dbName ?? name, scalars, relations: new Map(), idField });
  }
  for (const [name, model] of Object.entries(pothos)) {
    for (const f of model.fields) {
      if (f.kind !== "object") continue;
      if (!f.isList) {
        addToOne(models, name, f.name, f.type, f.relationFromFields ?? []);
        continue;
      }
      // The child's side of the relation holds the foreign key (relationFromFields).
      const back = pothos[f.type]?.fields.find((b) => b.relationName === f.relationName && b.type === name);
      const from = back?.relationFromFields ?? [];
      const parent = models.get(name)!;
      const child = models.get(f.type);
      if (!child || from.length === 0) continue;
      // Pothos's datamodel leaves out relationToFields: the keys here reference the parent's
      // (id, tenantId) unique, so the tenant column pairs with the tenant and the rest with the id.
      const join = from.map((c) => ({
        child: child.scalars.get(c)?.column,
        parent: parent.scalars.get(c === "tenantId" && parent.scalars.has("tenantId") ? "tenantId" : parent.idField)?.column,
      }));
      // A key this rule cannot pair is left out: such a relation is simply not served here.
      if (join.every((j) => j.child && j.parent)) {
        parent.relations.set(f.name, { field: f.name, model: f.type, join: join as Relation["join"] });
      }
    }
  }
  return models;
}

/** A to-one relation whose key this row holds (e.g. a session's customer), with the same pairing rule. */
function addToOne(models: Map<string, SqlModel>, name: string, field: string, target: string, from: readonly string[]) {
  const own = models.get(name)!;
  const related = models.get(target);
  if (!related || from.length === 0) return;
  const join = from.map((c) => ({
    child: related.scalars.get(c === "tenantId" && related.scalars.has("tenantId") ? "tenantId" : related.idField)?.column,
    parent: own.scalars.get(c)?.column,
  }));
  if (join.every((j) => j.child && j.parent))
    own.relations.set(field, { field, model: target, join: join as Relation["join"], toOne: true });
}

export const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;

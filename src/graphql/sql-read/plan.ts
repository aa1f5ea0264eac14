import {
  defaultFieldResolver,
  getNamedType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { UnsupportedShape, type Relation, type SqlModel } from "./model.ts";
import type { SqlRoot } from "./root.ts";

// Planning, once per document and operation: the selection read against the schema and the
// Pothos field configurations into a tree that says, for each object, which columns and
// relations SQL must load and how each response key is produced. Anything this planner does not
// understand throws UnsupportedShape, and the operation keeps the normal execution path.

type Ext = Record<string, unknown> & {
  pothosOptions?: { authScopes?: unknown };
  pothosOriginalResolve?: Resolver;
  pothosExposedField?: string;
  pothosPrismaSelect?: unknown;
  pothosPrismaRelationField?: { name: string; isList: boolean };
  pothosPrismaTotalCount?: boolean;
  pothosArgMappers?: unknown[];
  pothosPrismaModel?: string;
};
export type Resolver = (parent: unknown, args: Record<string, unknown>, ctx: unknown, info: unknown) => unknown;
export type AnyField = GraphQLField<unknown, unknown>;

export type FieldPlan =
  | { kind: "typename"; key: string; value: string }
  | { kind: "globalId"; key: string; typeName: string; column: string }
  | { kind: "value"; key: string; field: AnyField; node: FieldNode; resolve: Resolver; type: GraphQLOutputType; sub?: ObjectPlan }
  | { kind: "connection"; key: string; field: AnyField; node: FieldNode; select: RelationSelect; relation: Relation; sub: ObjectPlan }
  | { kind: "one"; key: string; field: AnyField; relation: Relation; sub: ObjectPlan };

export type RelationSelect = (args: unknown, ctx: unknown, nested: (q: unknown) => unknown, selection: () => Set<string>) => unknown;

export interface ObjectPlan {
  type: GraphQLObjectType;
  model?: SqlModel;
  fields: FieldPlan[];
  /** Prisma-backed objects: the scalar fields SQL loads (all of them when `allScalars`). */
  columns: Set<string>;
  allScalars: boolean;
  /** Relations a field's `select` needs, loaded whole (all scalars), under their own name. */
  relations: Map<string, unknown>;
  /** A relatedConnection's connection object whose totalCount is asked for. */
  totalCount?: boolean;
  /** For a connection's node: the plan of the rows inside `edges.node`. */
  node?: ObjectPlan;
}

export interface Plan {
  operation: OperationDefinitionNode;
  roots: { key: string; field: AnyField; node: FieldNode; sub: ObjectPlan; root: SqlRoot }[];
  /** Every authScopes rule the selection meets (types and fields), checked once per request. */
  scopes: unknown[];
}

const ext = (x: { extensions?: unknown }) => (x.extensions ?? {}) as Ext;

interface Planner {
  schema: GraphQLSchema;
  models: Map<string, SqlModel>;
  fragments: Map<string, FragmentDefinitionNode>;
  scopes: unknown[];
}

export function planOperation(schema: GraphQLSchema, models: Map<string, SqlModel>, document: DocumentNode, name?: string | null): Plan {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = name ? operations.find((o) => o.name?.value === name) : operations.length === 1 ? operations[0] : undefined;
  if (!operation || operation.operation !== "query") throw new UnsupportedShape("not a query");
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const p: Planner = { schema, models, fragments, scopes: [] };
  const queryType = schema.getQueryType()!;
  const roots = collect(p, queryType, operation.selectionSet).map(([key, node]) => {
    if (node.name.value === "__typename") throw new UnsupportedShape("root __typename");
    const field = queryType.getFields()[node.name.value] as AnyField | undefined;
    const root = (field?.extensions as { sqlRead?: SqlRoot } | undefined)?.sqlRead;
    if (!field || !root) throw new UnsupportedShape(`Query.${node.name.value} is not an SQL read`);
    noteField(p, field);
    const named = getNamedType(field.type) as GraphQLObjectType;
    const model = models.get(root.model);
    if (!model?.scalars.has("tenantId")) throw new UnsupportedShape(`${root.model} has no tenant`);
    let sub: ObjectPlan;
    if (root.kind === "one") {
      sub = planObject(p, named, node.selectionSet!, model);
    } else {
      sub = planObject(p, named, node.selectionSet!);
      sub.node = findNode(sub) ?? emptyPlan(p, nodeTypeOf(named), model);
      if (sub.node.model !== model) throw new UnsupportedShape("root node model");
      for (const c of root.cursorFields) sub.node.columns.add(c);
      // The root's counts come from its own resolver (a count, a planner estimate), not from rows.
      if (sub.totalCount || sub.fields.some((f) => f.kind === "value" && ["totalCount", "estimatedCount"].includes(f.field.name))) {
        throw new UnsupportedShape("totalCount");
      }
    }
    return { key, field, node, sub, root };
  });
  return { operation, roots, scopes: p.scopes };
}

function noteField(p: Planner, field: AnyField) {
  const e = ext(field);
  if (e.pothosOptions?.authScopes !== undefined) p.scopes.push(e.pothosOptions.authScopes);
  if (e.pothosArgMappers?.length) throw new UnsupportedShape("argument mappers");
}

/** The response keys of a selection on `type`, through fragments; no directives, no merging. */
function collect(p: Planner, type: GraphQLObjectType, set: SelectionSetNode, out: [string, FieldNode][] = []): [string, FieldNode][] {
  for (const s of set.selections) {
    if (s.directives?.length) throw new UnsupportedShape("directives");
    if (s.kind === Kind.FIELD) {
      const key = s.alias?.value ?? s.name.value;
      if (out.some(([k]) => k === key)) throw new UnsupportedShape("merged fields");
      out.push([key, s]);
      continue;
    }
    const fragment = s.kind === Kind.FRAGMENT_SPREAD ? p.fragments.get(s.name.value) : s;
    if (!fragment) throw new UnsupportedShape("unknown fragment");
    const on = fragment.typeCondition?.name.value;
    if (on && on !== type.name) throw new UnsupportedShape("fragment on another type");
    collect(p, type, fragment.selectionSet, out);
  }
  return out;
}

function emptyPlan(p: Planner, type: GraphQLObjectType, model?: SqlModel): ObjectPlan {
  const scopes = ext(type).pothosOptions?.authScopes;
  if (scopes !== undefined) p.scopes.push(scopes);
  if (model && model.name !== ext(type).pothosPrismaModel) throw new UnsupportedShape(`${type.name} is not ${model.name}`);
  return { type, model, fields: [], columns: new Set(model ? [model.idField] : []), allScalars: false, relations: new Map() };
}

function nodeTypeOf(connection: GraphQLObjectType): GraphQLObjectType {
  const edge = getNamedType(connection.getFields().edges?.type) as GraphQLObjectType | undefined;
  const node = edge && (getNamedType(edge.getFields().node?.type) as GraphQLObjectType);
  if (!node || !isObjectType(node)) throw new UnsupportedShape(`${connection.name} is not a connection`);
  return node;
}

/** The plan of `edges.node` inside a connection's plan, if the selection asks for nodes. */
function findNode(connection: ObjectPlan): ObjectPlan | undefined {
  const edges = connection.fields.filter((f) => f.kind === "value" && f.field.name === "edges");
  if (edges.length > 1) throw new UnsupportedShape("edges twice");
  const edge = edges[0]?.kind === "value" ? edges[0].sub : undefined;
  const nodes = edge?.fields.filter((f) => f.kind === "value" && f.field.name === "node") ?? [];
  if (nodes.length > 1) throw new UnsupportedShape("node twice");
  return nodes[0]?.kind === "value" ? nodes[0].sub : undefined;
}

function planObject(p: Planner, type: GraphQLObjectType, set: SelectionSetNode, model?: SqlModel): ObjectPlan {
  const plan = emptyPlan(p, type, model);
  for (const [key, node] of collect(p, type, set)) plan.fields.push(planField(p, plan, key, node));
  return plan;
}

function planField(p: Planner, plan: ObjectPlan, key: string, node: FieldNode): FieldPlan {
  const name = node.name.value;
  if (name === "__typename") return { kind: "typename", key, value: plan.type.name };
  const field = plan.type.getFields()[name] as AnyField;
  noteField(p, field);
  const e = ext(field);
  const model = plan.model;
  if (model && name === "id" && getNamedType(field.type).name === "ID" && !e.pothosExposedField) {
    plan.columns.add(model.idField);
    return { kind: "globalId", key, typeName: plan.type.name, column: model.idField };
  }
  if (model && e.pothosPrismaRelationField?.isList === false) return planToOne(p, model, key, node, field, e);
  if (model && e.pothosPrismaRelationField) return planConnection(p, plan, model, key, node, field, e);
  // A relatedConnection's totalCount: counted in SQL (see sql.ts), read from the connection object.
  if (e.pothosPrismaTotalCount) plan.totalCount = true;
  const original = e.pothosOriginalResolve;
  // graphql-js's default resolver reads info.fieldName, which this path does not build.
  const resolve: Resolver =
    original && original !== (defaultFieldResolver as unknown) ? original : (parent) => (parent as Record<string, unknown>)[name];
  if (model) needs(plan, model, e);
  const named = getNamedType(field.type);
  if (isLeafType(named)) return { kind: "value", key, field, node, resolve, type: field.type };
  if (!isObjectType(named)) throw new UnsupportedShape(`${plan.type.name}.${name}: ${named.name}`);
  // A Prisma-backed object is only reached as a connection's node (its rows come from the connection).
  const rowModel = ext(named).pothosPrismaModel;
  if (rowModel && (model || name !== "node")) throw new UnsupportedShape(`${plan.type.name}.${name}: ${named.name}`);
  const sub = planObject(p, named, node.selectionSet!, rowModel ? p.models.get(rowModel) : undefined);
  return { kind: "value", key, field, node, resolve, type: field.type, sub };
}

/** What a field of a Prisma-backed object reads from its row (Pothos's `select`, or the whole row). */
function needs(plan: ObjectPlan, model: SqlModel, e: Ext) {
  if (e.pothosExposedField) {
    if (!model.scalars.has(e.pothosExposedField)) throw new UnsupportedShape(`exposed ${e.pothosExposedField}`);
    plan.columns.add(e.pothosExposedField);
    return;
  }
  const select = e.pothosPrismaSelect;
  if (select === undefined) {
    plan.allScalars = true;
    return;
  }
  if (typeof select !== "object" || select === null) throw new UnsupportedShape("select function");
  for (const [name, value] of Object.entries(select)) {
    if (model.scalars.has(name) && value === true) plan.columns.add(name);
    else if (model.relations.has(name) && typeof value === "object") {
      const known = plan.relations.get(name);
      if (known !== undefined && JSON.stringify(known) !== JSON.stringify(value)) throw new UnsupportedShape("two selects of one relation");
      if (Object.keys(value as object).some((k) => k !== "where" && k !== "orderBy")) throw new UnsupportedShape("nested select");
      plan.relations.set(name, value);
    } else throw new UnsupportedShape(`select ${name}`);
  }
}

function planConnection(p: Planner, plan: ObjectPlan, model: SqlModel, key: string, node: FieldNode, field: AnyField, e: Ext): FieldPlan {
  const relation = model.relations.get(e.pothosPrismaRelationField!.name);
  const connection = getNamedType(field.type);
  if (!relation || !e.pothosPrismaRelationField!.isList || !isObjectType(connection) || typeof e.pothosPrismaSelect !== "function") {
    throw new UnsupportedShape(`${plan.type.name}.${field.name}`);
  }
  if (isListType(field.type) || (isNonNullType(field.type) && isListType(field.type.ofType))) throw new UnsupportedShape("list");
  const sub = planObject(p, connection, node.selectionSet!);
  const child = p.models.get(relation.model)!;
  sub.node = findNode(sub) ?? emptyPlan(p, nodeTypeOf(connection), child);
  if (sub.node.model !== child) throw new UnsupportedShape("node model");
  return { kind: "connection", key, field, node, select: e.pothosPrismaSelect as RelationSelect, relation, sub };
}

/** t.relation to one row (a session's customer): its row is loaded beside the key that names it. */
function planToOne(p: Planner, model: SqlModel, key: string, node: FieldNode, field: AnyField, e: Ext): FieldPlan {
  const relation = model.relations.get(e.pothosPrismaRelationField!.name);
  const named = getNamedType(field.type);
  if (!relation?.toOne || !isObjectType(named) || field.args.length) throw new UnsupportedShape(`${field.name}: to-one relation`);
  const sub = planObject(p, named, node.selectionSet!, p.models.get(relation.model));
  for (const j of relation.join) sub.columns.add([...sub.model!.scalars.values()].find((c) => c.column === j.child)!.field);
  return { kind: "one", key, field, relation, sub };
}

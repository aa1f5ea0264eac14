import { getVariableValues, type DocumentNode, type GraphQLSchema } from "graphql";
import { BLIND_INDEX_PREFIX } from "../../pii/at-rest.ts";
import { requestPii } from "../../pii/per-request.ts";
import type { Plugin } from "graphql-yoga";
import { builder } from "../builder.ts";
import type { GraphQLContext } from "../context.ts";
import { AsyncResolver, completeObject, completeValue, decodeTree, Fallback } from "./complete.ts";
import { loadModels, UnsupportedShape, type RuntimeDatamodel, type SqlModel } from "./model.ts";
import { planOperation, type Plan } from "./plan.ts";
import type { SqlRoot } from "./root.ts";
import { argsOf, rootSql, type RequestState } from "./sql.ts";
import { params } from "./where.ts";

// Yoga plugin: a query whose every root field declares `extensions.sqlRead` (see plan.ts) and
// whose selection the planner understands is answered from one SQL statement per root, built
// from the selection and the Prisma model; everything else — and any request where a rule
// would refuse something or a resolver fails — runs the normal graphql-js + Pothos + Prisma path,
// which then gives the same answer or the same error as before.

type Scopes = Record<string, unknown>;
type ScopeLoaders = Record<string, boolean | ((value: unknown) => boolean)>;

const scopeLoaders = (builder.options as { scopeAuth?: { authScopes(ctx: GraphQLContext): ScopeLoaders } }).scopeAuth!.authScopes;

/**
 * The type and field rules of the plan for this principal. They depend on the principal only
 * (the static rules of policies.ts), so one check per rule stands for Pothos's check per object.
 */
function allowed(plan: Plan, ctx: GraphQLContext): boolean {
  const loaders = scopeLoaders(ctx);
  return plan.scopes.every((rule) =>
    Object.entries(rule as Scopes).some(([name, value]) => {
      const loader = loaders[name];
      return typeof loader === "function" ? loader(value) === true : loader === true && value === true;
    }),
  );
}

/** Rules this check cannot read statically (functions, $all/$any/$granted) exclude the plan. */
function staticRules(plan: Plan) {
  for (const rule of plan.scopes) {
    if (typeof rule !== "object" || rule === null || Object.keys(rule).some((k) => k.startsWith("$"))) {
      throw new UnsupportedShape("dynamic authScopes");
    }
  }
  return plan;
}

const plans = new WeakMap<DocumentNode, Map<string, Plan | null>>();
const modelsByClient = new WeakMap<object, Map<string, SqlModel>>();

function modelsOf(db: object): Map<string, SqlModel> | null {
  const runtime = (db as { _runtimeDataModel?: RuntimeDatamodel })._runtimeDataModel;
  if (!runtime) return null;
  let models = modelsByClient.get(db);
  if (!models) modelsByClient.set(db, (models = loadModels(runtime)));
  return models;
}

function planFor(schema: GraphQLSchema, models: Map<string, SqlModel>, document: DocumentNode, name?: string | null): Plan | null {
  let byName = plans.get(document);
  if (!byName) plans.set(document, (byName = new Map()));
  const key = name ?? "";
  if (!byName.has(key)) {
    try {
      byName.set(key, staticRules(planOperation(schema, models, document, name)));
    } catch (error) {
      // Whatever the planner cannot read (introspection, a field it has not met) is the normal path's.
      sqlReadState.lastFallback = error;
      byName.set(key, null);
    }
  }
  return byName.get(key)!;
}

/** A row's sealed profile as json_build_object writes it (`"key" : value`), not null. */
const SEALED_PROFILE = /"piiSealed" ?: ?"/;

async function run(plan: Plan, ctx: GraphQLContext, variables: Record<string, unknown>, models: Map<string, SqlModel>) {
  const data: Record<string, unknown> = {};
  for (const r of plan.roots) {
    const req: RequestState = { models, ctx, variables, params: params(), connections: new Map(), aliases: 0 };
    const args = argsOf(r, variables);
    const node = r.root.kind === "one" ? r.sub : r.sub.node!;
    // The statement first: a shape it cannot serve falls back before the root's own lookup runs.
    const sql = rootSql(node, req);
    const page = r.root.kind === "page" ? await r.root.page(args, ctx) : null;
    const query = page ? page.rows : await (r.root as Extract<SqlRoot, { kind: "one" }>).rows(args, ctx);
    let rows: Record<string, unknown>[] = [];
    if (query.ids.length > 0) {
      const values = [JSON.stringify(query.ids), query.tenantId, ...req.params.values.slice(2)];
      // On the driver: Prisma's client runtime would cost more than the statement (src/db/database.ts).
      const [{ rows: text }] = await ctx.sql(sql, values);
      rows = JSON.parse(text as string);
      // Rows holding a blind index (phones) or a sealed profile hold sealed PII: the request loads the tenant's keys now, so the
      // resolvers that open it complete synchronously (pii/per-request.ts).
      if ((text as string).includes(`"${BLIND_INDEX_PREFIX}`) || SEALED_PROFILE.test(text as string)) {
        await requestPii(ctx, ctx.db, query.tenantId);
      }
      for (const row of rows) decodeTree(node, row, req);
    }
    if (page) {
      const connection = { edges: rows.map((row) => ({ cursor: page.cursor(row), node: row })), pageInfo: page.pageInfo };
      data[r.key] = completeObject(r.sub, connection, req);
    } else {
      data[r.key] = completeValue(r.field.type, rows[0] ?? null, r.sub, req);
    }
  }
  return { data };
}

/**
 * How the mechanism is doing: `served` requests answered from SQL, `fallbacks` sent back to the
 * normal path after planning succeeded (with the last error, for tests and debugging). Tests
 * switch it off with `enabled` to compare both paths on the same gateway.
 */
export const sqlReadState = { enabled: true, served: 0, fallbacks: 0, lastFallback: null as unknown };

export function useSqlRead(): Plugin<GraphQLContext> {
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (!sqlReadState.enabled) return;
      const ctx = args.contextValue as GraphQLContext;
      const models = modelsOf(ctx.db);
      if (!models) return;
      const plan = planFor(args.schema, models, args.document, args.operationName);
      if (!plan || !allowed(plan, ctx)) return;
      // Invalid variables: the normal path reports them.
      const coerced = getVariableValues(args.schema, plan.operation.variableDefinitions ?? [], args.variableValues ?? {});
      if (coerced.errors) return;
      setExecuteFn(async (executeArgs) => {
        try {
          const result = await run(plan, ctx, coerced.coerced, models);
          sqlReadState.served++;
          return result;
        } catch (error) {
          // An asynchronous resolver is remembered for the document; anything else (paging
          // backwards, a cursor over a nullable order, a failing resolver) concerns this request.
          if (error instanceof AsyncResolver) plans.get(args.document)?.set(args.operationName ?? "", null);
          sqlReadState.fallbacks++;
          sqlReadState.lastFallback = error instanceof Fallback ? error.message : error;
          // The normal path answers: the same data, or the error it would have given anyway.
          return executeFn(executeArgs);
        }
      });
    },
  };
}

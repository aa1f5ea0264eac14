import { adminActor } from "../service-context.ts";
import SchemaBuilder from "@pothos/core";
import DataloaderPlugin from "@pothos/plugin-dataloader";
import ErrorsPlugin from "@pothos/plugin-errors";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import ScopeAuthPlugin from "@pothos/plugin-scope-auth";
import { DateResolver, DateTimeResolver, JSONObjectResolver, JSONResolver, SafeIntResolver } from "graphql-scalars";
import type PrismaTypes from "../generated/pothos-prisma-types.ts";
import { getDatamodel } from "../generated/pothos-prisma-types.ts";
import type { AdminScope } from "../generated/prisma/enums.ts";
import { holdsScope } from "../security/scopes.ts";
import { ConflictError, NotFoundError, RuleViolationError, ValidationError } from "../errors.ts";
import { forbidden, unauthenticated } from "./auth-errors.ts";
import type { GraphQLContext } from "./context.ts";

const capitalize = (s: string) => s[0].toUpperCase() + s.slice(1);

// One security record per request and refused field, however many objects of a list were refused.
const forbiddenSeen = new WeakMap<GraphQLContext, Set<string>>();

function recordForbidden(ctx: GraphQLContext, field: string) {
  const seen = forbiddenSeen.get(ctx) ?? new Set<string>();
  forbiddenSeen.set(ctx, seen);
  if (seen.has(field)) return;
  seen.add(field);
  const principal = ctx.admin
    ? {
        tenantId: ctx.admin.tenantId,
        actor: adminActor(ctx.admin),
        subject: ctx.admin.credentialId,
        held: ctx.admin.scopes,
      }
    : {
        tenantId: ctx.customer!.tenantId,
        actor: { kind: "CUSTOMER" as const, id: ctx.customer!.customerId },
        subject: ctx.customer!.customerId,
        held: [],
      };
  ctx.security.record({
    kind: "forbidden",
    tenantId: principal.tenantId,
    subject: `${principal.subject}:${field}`,
    actor: principal.actor,
    request: ctx.request,
    data: { field, scopes: principal.held },
  });
}

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  AuthScopes: { admin: boolean; adminScope: AdminScope; customer: boolean };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    Date: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
    SafeInt: { Input: number; Output: number | bigint };
    ID: { Input: string; Output: string };
    /** A GraphQL multipart request's file (yoga hands the resolver a WHATWG File). */
    File: { Input: File; Output: never };
  };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
}>({
  // Fields are non-null unless they say otherwise.
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin, ErrorsPlugin, PrismaPlugin, RelayPlugin, DataloaderPlugin],
  scopeAuth: {
    // A subscription the caller may not read is refused when it subscribes, not at its first event.
    authorizeOnSubscribe: true,
    // Type-level scopes (src/graphql/policies.ts) run once per object, not once per field.
    runScopesOnType: true,
    authScopes: (ctx) => ({
      admin: ctx.admin !== null,
      adminScope: (scope) => holdsScope(ctx.admin?.scopes, scope),
      // A signed-in customer (verified access token, live session): see account/principal.ts.
      customer: ctx.customer !== null,
    }),
    unauthorizedError: (_parent, ctx, info) => {
      if (!ctx.admin && !ctx.customer) {
        return unauthenticated("Missing credentials: admin fields need X-API-Key and X-API-Secret, customer fields a Bearer access token");
      }
      recordForbidden(ctx, `${info.parentType.name}.${info.fieldName}`);
      return forbidden(ctx.customer ? "This field is not available with a customer access token" : undefined);
    },
  },
  prisma: {
    client: (ctx) => ctx.db,
    dmmf: getDatamodel(),
    exposeDescriptions: false,
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === "production" ? null : "warn",
  },
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
  },
  errors: {
    // Every mutation can answer with these typed failures; see graphql/errors.ts.
    defaultTypes: [ValidationError, NotFoundError, ConflictError, RuleViolationError],
    defaultResultOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Payload` },
    defaultUnionOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Result` },
  },
});

builder.addScalarType("DateTime", DateTimeResolver);
builder.addScalarType("Date", DateResolver);
builder.addScalarType("JSON", JSONResolver);
builder.addScalarType("JSONObject", JSONObjectResolver);
builder.scalarType("File", {
  description: "A file sent as a part of a GraphQL multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec).",
  serialize: () => {
    throw new Error("File is an input only");
  },
  // Only a multipart request's file part is a File: yoga puts it in the variables.
  parseValue: (value) => {
    const file = value as File | null;
    if (typeof file?.stream !== "function" || typeof file.name !== "string") throw new TypeError("not a file part of a multipart request");
    return file;
  },
  parseLiteral: () => {
    throw new TypeError("a file is sent as a part of a multipart request, not written in the query");
  },
});
builder.addScalarType("SafeInt", SafeIntResolver as never);

builder.queryType({});
builder.mutationType({});

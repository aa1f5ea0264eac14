import { builder } from "../graphql/builder.ts";
import { answeringId, customerIdArg, mutationResult } from "../graphql/common.ts";
import { CUSTOMERS_READ, CUSTOMERS_WRITE } from "../graphql/policies.ts";
import { customerOwnedNode } from "../graphql/nodes.ts";
import { adminService } from "../graphql/context.ts";
import { customerLocalId, localIdOrNull } from "../graphql/ids.ts";
import { sqlReadById } from "../graphql/sql-read/root.ts";
import { findCustomObject, findCustomObjects, type PageQuery } from "./search.ts";
import { createCustomObject, deleteCustomObject, updateCustomObject } from "./service.ts";

export const CustomObjectRef = builder.prismaNode("CustomObject", {
  ...customerOwnedNode,
  description: "Schema-less JSON attached to a customer under a name such as wishlist or purchases.",
  fields: (t) => ({
    name: t.exposeString("name"),
    data: t.field({ type: "JSONObject", resolve: (o) => o.data as Record<string, unknown> }),
    createdAt: t.expose("createdAt", { type: "DateTime" }),
    updatedAt: t.expose("updatedAt", { type: "DateTime" }),
    customer: t.relation("customer"),
  }),
});

// Folded into the customer's own query: listing objects costs no extra statement.
builder.prismaObjectField("Customer", "customObjects", (t) =>
  t.relatedConnection("customObjects", {
    cursor: "id",
    description: "Newest first.",
    args: { name: t.arg.string({ description: "Only objects of this name." }) },
    query: (args) => ({
      where: args.name == null ? {} : { name: args.name },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    }),
  }),
);

builder.queryFields((t) => ({
  customObject: t.prismaField({
    type: "CustomObject",
    nullable: true,
    authScopes: CUSTOMERS_READ,
    args: { id: t.arg.id({ required: true }) },
    extensions: sqlReadById("CustomObject"),
    resolve: (query, _root, args, ctx) => {
      const id = localIdOrNull(args.id, "CustomObject");
      return id ? findCustomObject(adminService(ctx), id, query) : null;
    },
  }),
  customObjects: t.prismaConnection({
    type: "CustomObject",
    cursor: "id",
    authScopes: CUSTOMERS_READ,
    description: "The tenant's objects of one name, newest first.",
    args: {
      name: t.arg.string({ required: true }),
      filter: t.arg({
        type: "JSONObject",
        description: "Only objects whose data contains this (jsonb @>): every key given, with an equal or containing value.",
      }),
    },
    resolve: (query, _root, args, ctx) =>
      findCustomObjects(adminService(ctx), { name: args.name, filter: args.filter }, query as PageQuery),
  }),
}));

const returnsObject = mutationResult(CustomObjectRef, "customObject", CUSTOMERS_WRITE);
const objectId = (id: string) => localIdOrNull(id, "CustomObject") ?? "";

/** The arguments of updateCustomObject and updateMyCustomObject. */
export const updateObjectArgs = builder.args((t) => ({
  id: t.id({ required: true }),
  data: t.field({ type: "JSONObject", required: true }),
  merge: t.boolean({ defaultValue: false }),
}));

builder.mutationFields((t) => ({
  createCustomObject: t.field({
    ...returnsObject,
    args: {
      ...customerIdArg,
      name: t.arg.string({ required: true, description: "Letters, digits, dashes, underscores; up to 64, starting with a letter." }),
      data: t.arg({ type: "JSONObject", required: true, description: "At most 64 KiB." }),
    },
    resolve: (_root, args, ctx) =>
      createCustomObject(adminService(ctx), customerLocalId(args.customerId), {
        name: args.name,
        data: args.data,
      }),
  }),
  updateCustomObject: t.field({
    ...returnsObject,
    description: "Replaces the data, or with merge: true overlays the given top-level keys on it.",
    args: updateObjectArgs,
    resolve: (_root, args, ctx) => updateCustomObject(adminService(ctx), objectId(args.id), { data: args.data, merge: args.merge }),
  }),
  deleteCustomObject: t.field({
    ...mutationResult("ID", "deletedCustomObjectId", CUSTOMERS_WRITE),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => answeringId(id, () => deleteCustomObject(adminService(ctx), objectId(id))),
  }),
}));

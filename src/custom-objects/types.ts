import { builder } from "../graphql/builder.ts";
import { CUSTOMER_DATA } from "../graphql/policies.ts";
import { ownedRowWhere } from "../graphql/context.ts";

export const CustomObjectRef = builder.prismaNode("CustomObject", {
  id: { field: "id" },
  authScopes: CUSTOMER_DATA,
  // node(id) of an unknown or foreign id answers null rather than an error.
  nullable: true,
  description: "Schema-less JSON attached to a customer under a name such as wishlist or purchases.",
  // node(id) must never cross tenants: look up by (id, tenant of the credential); a customer
  // token reaches only that customer's own rows.
  findUnique: ownedRowWhere,
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

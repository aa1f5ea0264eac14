import { builder } from "../graphql/builder.ts";
import { CUSTOMER_DATA } from "../graphql/policies.ts";
import { ownedRowWhere } from "../graphql/context.ts";

export const IdentityRef = builder.prismaNode("Identity", {
  id: { field: "id" },
  authScopes: CUSTOMER_DATA,
  // node(id) of an unknown or foreign id answers null rather than an error.
  nullable: true,
  description: "One way a customer signs in: password, email, phone, or an account at a social or enterprise provider.",
  // node(id) must never cross tenants: look up by (id, tenant of the credential); a customer
  // token reaches only that customer's own rows.
  findUnique: ownedRowWhere,
  fields: (t) => ({
    provider: t.exposeString("provider", { description: "password, email, phone, google, saml-acme, …" }),
    providerUserId: t.exposeString("providerUserId", { description: "The account's id at the provider; unique per provider in a tenant." }),
    profile: t.field({
      type: "JSONObject",
      description: "The raw profile the provider returned.",
      resolve: (i) => i.profile as Record<string, unknown>,
    }),
    linkedAt: t.expose("linkedAt", { type: "DateTime" }),
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", nullable: true }),
    customer: t.relation("customer"),
  }),
});

// Folded into the customer's own query: listing identities costs no extra statement.
builder.prismaObjectField("Customer", "identities", (t) =>
  t.relatedConnection("identities", {
    cursor: "id",
    description: "Oldest first.",
    query: { orderBy: [{ linkedAt: "asc" }, { id: "asc" }] },
  }),
);
